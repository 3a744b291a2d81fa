"""Records Keras 3 attention layers, keras_hub's PositionEmbedding, masked models and
which Keras classes pass masks on, for tfrun's attention and masking tests.

Layer cases: one layer (MultiHeadAttention, Attention, PositionEmbedding, Masking) called
on fixed inputs in inference, its weights drawn from a seeded generator; recorded are the
inputs, the weights (with Keras's paths), the output and, for Masking, the output mask.
Model cases: a functional keras.Model whose first layer is Embedding(mask_zero=True) or
Masking, called on padded inputs (pre- and post-padding, one sequence all padding but one
step); recorded are the weights, the inputs and the inference output. Mask rules: for each
Keras layer class, whether it supports masking and whether it has its own compute_mask
(configs/mask.go's table is checked against them).

keras_hub is imported from its source without its package's dependencies: install it
with `bench/.venv/bin/python -m pip install --no-deps --target /tmp/kh keras-hub` (0.32.0
recorded) and pass the directory:

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python builders/testdata/keras/make_attention_golden.py /tmp/kh
"""

import importlib.util
import inspect
import json
import os
import sys
import types

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

L = keras.layers


def load_position_embedding(kh_dir):
    """keras_hub's PositionEmbedding class, from its source file, without importing the
    keras_hub package (which needs tokenizer dependencies)."""
    # Stand-ins for the packages whose __init__ would import everything (keras_hub,
    # keras_hub.src.vllm); the modules themselves load from the source.
    for name, sub in [("keras_hub", "keras_hub"), ("keras_hub.src.vllm", "keras_hub/src/vllm")]:
        m = types.ModuleType(name)
        m.__path__ = [os.path.join(kh_dir, sub)]
        sys.modules[name] = m
    api = types.ModuleType("keras_hub.src.api_export")
    api.keras_hub_export = lambda *a, **k: (lambda cls: cls)
    sys.modules["keras_hub.src.api_export"] = api
    mod = importlib.import_module("keras_hub.src.layers.modeling.position_embedding")
    version = "unknown"
    for d in os.listdir(kh_dir):
        if d.startswith("keras_hub-") and d.endswith(".dist-info"):
            version = d[len("keras_hub-"):-len(".dist-info")]
    return mod.PositionEmbedding, version


def set_weights(rng, weights):
    for w in weights:
        w.assign(rng.uniform(-0.5, 0.5, size=w.shape).astype("float32"))


def record_weights(weights):
    return [{"path": w.path, "shape": list(w.shape), "values": np.asarray(w).ravel().tolist()} for w in weights]


def layer_case(rng, name, make, shapes, call_kwargs=None, seed_weights=True):
    layer = make()
    inputs = [rng.uniform(-1, 1, size=s).astype("float32") for s in shapes]
    args = inputs if len(inputs) > 1 else inputs[0]
    if isinstance(layer, (L.MultiHeadAttention,)):
        out = layer(*inputs, training=False, **(call_kwargs or {}))
    else:
        out = layer(args, training=False, **(call_kwargs or {})) if not isinstance(layer, L.Masking) else layer(args)
    if seed_weights:
        set_weights(rng, layer.weights)
        if isinstance(layer, L.MultiHeadAttention):
            out = layer(*inputs, training=False, **(call_kwargs or {}))
        elif isinstance(layer, L.Masking):
            out = layer(args)
        else:
            out = layer(args, training=False, **(call_kwargs or {}))
    case = {
        "name": name, "class": type(layer).__name__, "layer_name": layer.name, "config": layer.get_config(),
        "input_shapes": [list(s) for s in shapes], "inputs": [x.ravel().tolist() for x in inputs],
        "output_shape": list(out.shape), "output": np.asarray(out).ravel().tolist(),
        "weights": record_weights(layer.weights),
        "call": {k: v for k, v in (call_kwargs or {}).items() if k != "attention_mask"},
    }
    if call_kwargs and "attention_mask" in call_kwargs:
        m = np.asarray(call_kwargs["attention_mask"])
        case["attention_mask_shape"] = list(m.shape)
        case["attention_mask"] = m.astype(int).ravel().tolist()
    mask = getattr(out, "_keras_mask", None)
    if mask is not None:
        case["output_mask"] = np.asarray(mask).astype(int).ravel().tolist()
    return case


def padded_ids(rng, batch, steps, vocab):
    """Ids in [1, vocab) with padding 0: pre-padded, post-padded, all but one padded, none."""
    ids = rng.integers(1, vocab, size=(batch, steps)).astype("int32")
    ids[0, :3] = 0  # pre-padding (Keras's pad_sequences default)
    ids[1, -2:] = 0  # post-padding
    ids[2, :-1] = 0  # one token
    return ids


def model_case(rng, name, build, x):
    model = build()
    set_weights(rng, model.weights)
    out = model(x, training=False)
    return {
        "name": name, "input_shape": list(x.shape), "input": x.ravel().tolist(),
        "input_dtype": str(x.dtype),
        "weights": record_weights(model.weights),
        "layers": [{"name": l.name, "class": type(l).__name__, "config": l.get_config()} for l in model.layers[1:]],
        "output_shape": list(out.shape), "output": np.asarray(out).ravel().tolist(),
    }


def embedding_rnn(rnn):
    def build():
        x = keras.Input((6,), dtype="int32", name="ids")
        h = L.Embedding(10, 3, mask_zero=True, name="embedding")(x)
        return keras.Model(x, rnn()(h))
    return build


def embedding_mha_gap():
    x = keras.Input((6,), dtype="int32", name="ids")
    h = L.Embedding(10, 4, mask_zero=True, name="embedding")(x)
    a = L.MultiHeadAttention(num_heads=2, key_dim=3, name="multi_head_attention")(h, h)
    r = L.Add(name="add")([h, a])
    n = L.LayerNormalization(name="layer_normalization")(r)
    y = L.GlobalAveragePooling1D(name="global_average_pooling1d")(n)
    return keras.Model(x, y)


def embedding_attention_gap():
    x = keras.Input((6,), dtype="int32", name="ids")
    h = L.Embedding(10, 4, mask_zero=True, name="embedding")(x)
    a = L.Attention(name="attention")([h, h])
    y = L.GlobalAveragePooling1D(name="global_average_pooling1d")(a)
    return keras.Model(x, y)


def masking_lstm():
    x = keras.Input((5, 3), name="x")
    h = L.Masking(mask_value=0.0, name="masking")(x)
    return keras.Model(x, L.LSTM(4, name="lstm")(h))


def embedding_concatenate(axis, rnn):
    def build():
        x = keras.Input((6,), dtype="int32", name="ids")
        h = L.Embedding(10, 3, mask_zero=True, name="embedding")(x)
        d = L.Dense(2 if axis == -1 else 3, activation=None if axis == -1 else "tanh", name="dense")(h)
        c = L.Concatenate(axis=axis, name="join")([h, d])
        return keras.Model(x, rnn()(c))
    return build


def mask_rules():
    """supports_masking and an own compute_mask, for the Keras classes that can be made
    with these arguments."""
    args = {"Dense": dict(units=2), "Conv1D": dict(filters=2, kernel_size=2), "Conv2D": dict(filters=2, kernel_size=2),
            "Conv2DTranspose": dict(filters=2, kernel_size=2), "Conv1DTranspose": dict(filters=2, kernel_size=2),
            "DepthwiseConv2D": dict(kernel_size=2), "SeparableConv2D": dict(filters=2, kernel_size=2),
            "Embedding": dict(input_dim=3, output_dim=2), "LSTM": dict(units=2), "GRU": dict(units=2),
            "SimpleRNN": dict(units=2), "Bidirectional": dict(layer=L.LSTM(2)), "Dropout": dict(rate=0.1),
            "SpatialDropout1D": dict(rate=0.1), "Activation": dict(activation="relu"), "Reshape": dict(target_shape=(2,)),
            "MultiHeadAttention": dict(num_heads=2, key_dim=2), "Dot": dict(axes=1), "RepeatVector": dict(n=2),
            "Permute": dict(dims=(2, 1)), "TimeDistributed": dict(layer=L.Dense(2)), "GaussianNoise": dict(stddev=0.1),
            "GaussianDropout": dict(rate=0.1), "RandomCrop": dict(height=2, width=2), "Resizing": dict(height=2, width=2),
            "CenterCrop": dict(height=2, width=2), "Rescaling": dict(scale=1.0),
            "RandomTranslation": dict(height_factor=0.1, width_factor=0.1), "RandomRotation": dict(factor=0.1),
            "RandomZoom": dict(height_factor=0.1), "RandomContrast": dict(factor=0.1),
            "MaxPooling1D": dict(), "MaxPooling2D": dict(), "AveragePooling2D": dict(pool_size=2),
            "ZeroPadding2D": dict(), "Cropping2D": dict()}
    out = {}
    for n in sorted(dir(L)):
        c = getattr(L, n)
        if not (inspect.isclass(c) and issubclass(c, L.Layer)) or c.__name__ != n:
            continue  # aliases (GlobalAvgPool1D) under their class's name only
        try:
            layer = c(**args.get(n, {}))
        except Exception:
            continue
        out[n] = {"supports_masking": bool(layer.supports_masking),
                  "own_compute_mask": type(layer).compute_mask is not L.Layer.compute_mask}
    return out


def main():
    kh_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/kh"
    PositionEmbedding, kh_version = load_position_embedding(kh_dir)
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(23)
    layers = [
        layer_case(rng, "mha_self", lambda: L.MultiHeadAttention(num_heads=2, key_dim=3), [(2, 4, 5), (2, 4, 5)]),
        layer_case(rng, "mha_cross_key", lambda: L.MultiHeadAttention(num_heads=3, key_dim=2), [(2, 3, 4), (2, 5, 6), (2, 5, 2)]),
        layer_case(rng, "mha_value_dim_output_shape_no_bias",
                   lambda: L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=(7,), use_bias=False),
                   [(2, 4, 5), (2, 3, 5)]),
        layer_case(rng, "mha_causal", lambda: L.MultiHeadAttention(num_heads=2, key_dim=2), [(2, 4, 3), (2, 4, 3)],
                   call_kwargs={"use_causal_mask": True}),
        layer_case(rng, "mha_attention_mask", lambda: L.MultiHeadAttention(num_heads=2, key_dim=2), [(2, 3, 4), (2, 4, 4)],
                   call_kwargs={"attention_mask": np.array([[[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1]],
                                                            [[1, 0, 0, 0], [1, 1, 1, 1], [0, 0, 1, 1]]], dtype=bool)}),
        layer_case(rng, "attention", lambda: L.Attention(), [(2, 3, 4), (2, 5, 4)]),
        layer_case(rng, "attention_scale_key", lambda: L.Attention(use_scale=True), [(2, 3, 4), (2, 5, 6), (2, 5, 4)]),
        layer_case(rng, "attention_causal", lambda: L.Attention(), [(2, 4, 3), (2, 4, 3)], call_kwargs={"use_causal_mask": True}),
        layer_case(rng, "position_embedding", lambda: PositionEmbedding(sequence_length=6, name="position_embedding"), [(2, 4, 3)]),
        layer_case(rng, "position_embedding_full", lambda: PositionEmbedding(sequence_length=4, name="position_embedding"), [(2, 4, 3)]),
    ]
    # Masking: a padded step is all mask_value.
    mx = rng.uniform(-1, 1, size=(2, 5, 3)).astype("float32")
    mx[0, :2] = 0.0
    mx[1, 3] = 0.0
    mx[1, 4, 0] = 0.0  # one zero feature only: not masked
    masking = L.Masking()
    mout = masking(mx)
    layers.append({"name": "masking", "class": "Masking", "layer_name": masking.name, "config": masking.get_config(),
                   "input_shapes": [list(mx.shape)], "inputs": [mx.ravel().tolist()],
                   "output_shape": list(mout.shape), "output": np.asarray(mout).ravel().tolist(), "weights": [], "call": {},
                   "output_mask": np.asarray(mout._keras_mask).astype(int).ravel().tolist()})
    ids = padded_ids(rng, 4, 6, 10)
    mx2 = rng.uniform(-1, 1, size=(3, 5, 3)).astype("float32")
    mx2[0, :2] = 0.0
    mx2[1, 3:] = 0.0
    models = [
        model_case(rng, "embedding_lstm", embedding_rnn(lambda: L.LSTM(4, name="lstm")), ids),
        model_case(rng, "embedding_lstm_sequences", embedding_rnn(lambda: L.LSTM(4, return_sequences=True, name="lstm")), ids),
        model_case(rng, "embedding_gru", embedding_rnn(lambda: L.GRU(4, name="gru")), ids),
        model_case(rng, "embedding_gru_sequences_backwards",
                   embedding_rnn(lambda: L.GRU(3, return_sequences=True, go_backwards=True, name="gru")), ids),
        model_case(rng, "embedding_simple_rnn", embedding_rnn(lambda: L.SimpleRNN(4, name="simple_rnn")), ids),
        model_case(rng, "embedding_bidirectional_lstm", embedding_rnn(lambda: L.Bidirectional(L.LSTM(3, name="lstm"), name="bidirectional")), ids),
        model_case(rng, "embedding_bidirectional_lstm_sequences",
                   embedding_rnn(lambda: L.Bidirectional(L.LSTM(3, return_sequences=True, name="lstm"), name="bidirectional")), ids),
        model_case(rng, "embedding_mha_gap", embedding_mha_gap, ids),
        model_case(rng, "embedding_attention_gap", embedding_attention_gap, ids),
        model_case(rng, "masking_lstm", masking_lstm, mx2),
        model_case(rng, "embedding_concatenate_features_lstm", embedding_concatenate(-1, lambda: L.LSTM(4, name="lstm")), ids),
        model_case(rng, "embedding_concatenate_steps_gru", embedding_concatenate(1, lambda: L.GRU(4, name="gru")), ids),
    ]
    out = {"keras": keras.__version__, "tensorflow": tf.__version__, "keras_hub": kh_version,
           "layers": layers, "models": models, "mask_rules": mask_rules()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keras_attention.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

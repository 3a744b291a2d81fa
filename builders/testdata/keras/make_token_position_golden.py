"""Records keras_hub's TokenAndPositionEmbedding for tfrun's TokenAndPositionEmbedding tests.

Layer cases: the layer alone called on padded token ids (inference), its weights drawn from
a seeded generator; recorded are the ids, the weights (keras_hub's paths), the output, the
output's mask (or none), the layer's config (its defaults) and count_params. Model cases: a
functional keras.Model TokenAndPositionEmbedding(mask_zero=True) → GlobalAveragePooling1D
(the pooling averages the unmasked steps only), and the same with a Transformer block
(MultiHeadAttention, Add, LayerNormalization) before the pooling; recorded are the weights,
the ids and the inference output.

A Keras 3.15.1 quirk the block case records: MultiHeadAttention deletes the Keras masks of
its query and value tensors (set_keras_mask(query, None)); keras_hub's layer sets its mask
in call only (no compute_mask), so after the attention the residual Add([h, attention]) finds
h without a mask and drops it (Merge.compute_mask), and the pooling averages every step. An
Embedding's mask (it has compute_mask) survives the same model. "masked_block_gap" is
keras_hub's layer as is; "masked_block_gap_compute_mask" the same layer with a compute_mask
(ids != 0 when mask_zero), whose mask survives: the pooling averages the unmasked steps, as
tfrun's does.

keras_hub is loaded from its source without its package's dependencies (its pip package
needs a newer TensorFlow): install it with
`bench/.venv/bin/python -m pip install --no-deps --target /tmp/kh keras-hub` (0.32.0
recorded) and pass the directory:

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python builders/testdata/keras/make_token_position_golden.py /tmp/kh
"""

import importlib
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from make_attention_golden import load_position_embedding, record_weights, set_weights  # noqa: E402

L = keras.layers


def load_token_and_position_embedding(kh_dir):
    """keras_hub's TokenAndPositionEmbedding class (and keras_hub's version), from source."""
    _, version = load_position_embedding(kh_dir)  # the package stand-ins
    mod = importlib.import_module("keras_hub.src.layers.modeling.token_and_position_embedding")
    return mod.TokenAndPositionEmbedding, version


def ids_case(rng, batch, steps, vocab):
    ids = rng.integers(1, vocab, size=(batch, steps)).astype("int32")
    ids[0, :2] = 0  # pre-padding
    ids[1, -1] = 0  # post-padding
    if batch > 2:
        ids[2, :-1] = 0  # one token
    return ids


def layer_case(rng, name, make, ids):
    layer = make()
    layer(ids)
    set_weights(rng, layer.weights)
    out = layer(ids)
    mask = getattr(out, "_keras_mask", None)
    return {
        "name": name, "layer_name": layer.name, "config": layer.get_config(), "count_params": layer.count_params(),
        "supports_masking": bool(layer.supports_masking),
        "input_shape": list(ids.shape), "input": ids.ravel().tolist(),
        "output_shape": list(out.shape), "output": np.asarray(out).ravel().tolist(),
        "output_mask": None if mask is None else np.asarray(mask).astype(int).ravel().tolist(),
        "weights": record_weights(layer.weights),
    }


def model_case(rng, name, build, ids):
    model = build()
    set_weights(rng, model.weights)
    out = model(ids, training=False)
    return {
        "name": name, "input_shape": list(ids.shape), "input": ids.ravel().tolist(), "input_dtype": "int32",
        "weights": record_weights(model.weights),
        "output_shape": list(out.shape), "output": np.asarray(out).ravel().tolist(),
    }


def main():
    kh_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/kh"
    TokenAndPositionEmbedding, kh_version = load_token_and_position_embedding(kh_dir)
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(10)

    def tpe(vocab, seq, dim, mask_zero, **kw):
        return lambda: TokenAndPositionEmbedding(vocab, seq, dim, mask_zero=mask_zero,
                                                 name="token_and_position_embedding", **kw)

    def gap():
        x = keras.Input((5,), dtype="int32", name="ids")
        h = tpe(10, 6, 3, True)()(x)
        return keras.Model(x, L.GlobalAveragePooling1D(name="global_average_pooling1d")(h))

    class WithComputeMask(TokenAndPositionEmbedding):
        def compute_mask(self, inputs, mask=None):
            return keras.ops.not_equal(inputs, 0) if self.token_embedding.mask_zero else None

    def block(cls=None):
        x = keras.Input((5,), dtype="int32", name="ids")
        h = (cls or TokenAndPositionEmbedding)(10, 6, 4, mask_zero=True, name="token_and_position_embedding")(x)
        a = L.MultiHeadAttention(num_heads=2, key_dim=3, name="multi_head_attention")(h, h)
        n = L.LayerNormalization(name="layer_normalization")(L.Add(name="add")([h, a]))
        return keras.Model(x, L.GlobalAveragePooling1D(name="global_average_pooling1d")(n))

    layers = [
        layer_case(rng, "masked", tpe(10, 6, 3, True), ids_case(rng, 3, 5, 10)),
        layer_case(rng, "unmasked_full_length", tpe(7, 4, 2, False), ids_case(rng, 2, 4, 7)),
        layer_case(rng, "untied_glorot", tpe(6, 5, 2, True, tie_weights=False, embeddings_initializer="glorot_uniform"),
                   ids_case(rng, 2, 4, 6)),
    ]
    models = [
        model_case(rng, "masked_gap", gap, ids_case(rng, 3, 5, 10)),
        model_case(rng, "masked_block_gap", block, ids_case(rng, 3, 5, 10)),
        model_case(rng, "masked_block_gap_compute_mask", lambda: block(WithComputeMask), ids_case(rng, 3, 5, 10)),
    ]
    out = {"keras": keras.__version__, "tensorflow": tf.__version__, "keras_hub": kh_version,
           "layers": layers, "models": models}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keras_token_position.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

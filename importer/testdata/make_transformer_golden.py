"""Writes transformer_golden.json and its weights files: configs/imdb_transformer.yaml's
model, built by its Keras twin's own code (bench/keras/imdb_transformer.py's build), to
check that tfrun trains it as Keras does (importer/transformer_keras_test.go).

Two parts:

- "initializers": the twin's model at its real size (num_words 20000, maxlen 400) built
  with keras.utils.set_random_seed(42): for every weight, its count, mean, std, min and max,
  and the bound Keras's initializer draws within (glorot_uniform: sqrt(6/(fan_in +
  fan_out)), fans from the initializer's own input_axes/output_axes as Keras 3 gives them
  to EinsumDense kernels; Embedding's uniform: 0.05; zeros and ones: 0).
- "steps": 20 train_on_batch steps of the same model, smaller (num_words 200, maxlen 24;
  the layers and their sizes as the config's), every Dropout rate 0, from its initial
  weights (saved as transformer_initial.weights.h5), on fixed batches of 8 synthetic
  reviews, with AdamW on CosineDecay(0, decay_steps 15, warmup_target 1e-3, warmup_steps 5)
  (the config's schedule shortened); for each step the learning rate, loss and accuracy
  (train_on_batch resets the metrics: the batch's own), and the weights after the last
  (transformer_final_wd<decay>.weights.h5). Twice: with the config's weight_decay 0.01
  and with 1.0 (the decoupled decay, which Keras applies to every trainable variable,
  then moves the weights by more than the float noise). In Keras 3.15.1 this model is not
  masked past Add([token_embedding, position_embedding]) (the position embedding has no
  mask, so Merge.compute_mask gives none). A third case, "masked_block", is the config's
  model without the position embedding (transformer_block_*.weights.h5), on reviews
  pre-padded to random lengths: its mask reaches MultiHeadAttention and
  GlobalAveragePooling1D.

  Within a batch no real token id repeats: Keras 3's Adam, given an Embedding's gradient
  as tf.IndexedSlices, squares each occurrence's gradient before summing them into v
  (ops.square keeps the slices; the subtraction then densifies), where tfrun (and a dense
  gradient) squares their sum; the two agree only for ids that occur once (or whose
  gradient is 0: masked padding). docs/results/imdb_transformer.md (2026-12-06, session
  10) has the measured effect.

Run from the repository root with the project's venv (keras 3.15.1, TensorFlow 2.18):

    bench/.venv/bin/python importer/testdata/make_transformer_golden.py
"""
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "keras"))

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.initializers.random_initializers import compute_fans  # noqa: E402

import imdb_transformer as twin  # noqa: E402

VOCAB, MAXLEN, BATCH, STEPS = 200, 24, 8, 20
WARMUP, DECAY, PEAK = 5, 15, 1e-3
DECAYS = (0.01, 1.0)


def bound(layer, weight):
    """The bound of weight's initializer, |x| <= bound, as Keras draws it."""
    name = weight.path.split("/")[-1]
    init = None
    if isinstance(layer, keras.layers.MultiHeadAttention):
        sub = weight.path.split("/")[-2]
        dense = getattr(layer, {"query": "_query_dense", "key": "_key_dense", "value": "_value_dense",
                                "attention_output": "_output_dense"}[sub])
        # EinsumDense.build clones its VarianceScaling initializer with the einsum's
        # input and output axes; the layer keeps the unclonned one, so recompute them.
        from keras.src.layers.core.einsum_dense import _analyze_einsum_string
        if name == "kernel":
            _, _, _, ia, oa = _analyze_einsum_string(dense.equation, dense.bias_axes,
                                                     dense._build_shapes_dict["input_shape"],
                                                     dense.partial_output_shape)
            fi, fo = compute_fans(weight.shape, ia, oa)
            return math.sqrt(6 / (fi + fo)), [fi, fo]
        return 0.0, None
    if isinstance(layer, keras.layers.Embedding):
        init = layer.embeddings_initializer
    elif name == "kernel":
        init = layer.kernel_initializer
    elif name == "embeddings":  # PositionEmbedding
        init = layer.initializer
    elif name in ("bias", "beta", "gamma"):
        return 0.0, None
    if isinstance(init, keras.initializers.RandomUniform):
        return float(init.maxval), None
    if isinstance(init, keras.initializers.GlorotUniform):
        fi, fo = compute_fans(weight.shape)
        return math.sqrt(6 / (fi + fo)), [fi, fo]
    raise SystemExit(f"{weight.path}: initializer {init} not described")


def initializer_stats():
    twin.MAXLEN = 400
    keras.utils.set_random_seed(42)
    model = twin.build(mask=True)
    out = []
    for layer in model.layers:
        for w in layer.weights:
            v = np.asarray(w.numpy(), dtype="float64")
            b, fans = bound(layer, w)
            out.append({"path": w.path, "shape": list(w.shape), "count": int(v.size),
                        "mean": float(v.mean()), "std": float(v.std()),
                        "min": float(v.min()), "max": float(v.max()), "bound": b, "fans": fans})
    return out


def batches(pads):
    """STEPS batches of BATCH reviews of MAXLEN token ids whose real ids are all distinct
    within a batch (Keras's Adam sums the squares of an Embedding's per-occurrence
    gradients into v where a dense gradient squares their sum: the two agree only when no
    id repeats, see the module doc), the label tilting the ids drawn. pads: each review
    pre-padded with 0 to a random length 1..MAXLEN, else one review of each batch has one
    pad (the padding id 0 then occurs once)."""
    rng = np.random.default_rng(7)
    xs, ys = [], []
    for _ in range(STEPS):
        x = np.zeros((BATCH, MAXLEN), dtype="int32")
        y = rng.integers(0, 2, BATCH).astype("int32")
        lengths = rng.integers(1, MAXLEN + 1, BATCH) if pads else np.full(BATCH, MAXLEN)
        if not pads:
            lengths[rng.integers(0, BATCH)] = MAXLEN - 1
        low = rng.permutation(np.arange(3, VOCAB // 2)).tolist()  # ids a negative review prefers
        high = rng.permutation(np.arange(VOCAB // 2, VOCAB)).tolist()
        for i in range(BATCH):
            first, second = (low, high) if y[i] == 0 else (high, low)
            ids = [(first if (rng.random() < 0.7 and first) or not second else second).pop()
                   for _ in range(lengths[i])]
            x[i, MAXLEN - lengths[i]:] = ids
        xs.append(x)
        ys.append(y)
    return xs, ys


def masked_block(dropout=0.0):
    """The config's model without its PositionEmbedding: the Transformer block called on the
    token embeddings, so the mask of Embedding(mask_zero) reaches MultiHeadAttention and
    GlobalAveragePooling1D (an Add with the unmasked position embeddings drops it)."""
    from keras import layers
    tokens = keras.Input((MAXLEN,), dtype="int32", name="tokens")
    x = layers.Embedding(VOCAB, twin.EMBED_DIM, mask_zero=True, name="token_embedding")(tokens)
    att = layers.MultiHeadAttention(num_heads=twin.NUM_HEADS, key_dim=twin.EMBED_DIM, name="attention")(x, x)
    att = layers.Dropout(dropout, name="attention_dropout")(att)
    x = layers.LayerNormalization(epsilon=1e-6, name="norm")(layers.Add(name="residual")([x, att]))
    ff = layers.Dense(twin.FF_DIM, activation="relu", name="feed_forward")(x)
    ff = layers.Dense(twin.EMBED_DIM, name="feed_forward_out")(ff)
    ff = layers.Dropout(dropout, name="feed_forward_dropout")(ff)
    x = layers.LayerNormalization(epsilon=1e-6, name="norm_1")(layers.Add(name="residual_1")([x, ff]))
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(20, activation="relu", name="hidden")(x)
    x = layers.Dropout(dropout, name="dropout_1")(x)
    out = layers.Dense(2, activation="softmax", name="head")(x)
    return keras.Model(tokens, out, name="imdb_transformer_block")


def train(model, initial, xs, ys, wd, final):
    """STEPS train_on_batch steps from initial with AdamW(wd) on the shortened schedule."""
    model.load_weights(initial)
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0, decay_steps=DECAY, alpha=0.0,
        warmup_target=PEAK, warmup_steps=WARMUP)
    opt = keras.optimizers.AdamW(learning_rate=schedule, weight_decay=wd)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    lrs, losses, accs = [], [], []
    for x, y in zip(xs, ys):
        lrs.append(float(schedule(opt.iterations)))
        logs = model.train_on_batch(x, y, return_dict=True)
        losses.append(float(logs["loss"]))
        accs.append(float(logs["accuracy"]))
    save_weights(model, os.path.join(HERE, final))
    print(f"{final}: loss {losses[0]:.6f} → {losses[-1]:.6f}")
    return {"learning_rate": lrs, "loss": losses, "accuracy": accs, "final_weights": final}


def save_weights(model, path):
    """model.save_weights without the optimizer's variables (half the file)."""
    opt = getattr(model, "optimizer", None)
    model.optimizer = None
    try:
        model.save_weights(path)
    finally:
        model.optimizer = opt


def steps():
    twin.MAXLEN = MAXLEN
    data = {"config": batches(pads=False), "masked_block": batches(pads=True)}
    cases = []
    keras.utils.set_random_seed(42)
    model = twin.build(mask=True, dropout=0.0, num_words=VOCAB)
    save_weights(model, os.path.join(HERE, "transformer_initial.weights.h5"))
    for wd in DECAYS:
        c = train(model, os.path.join(HERE, "transformer_initial.weights.h5"), *data["config"], wd,
                  f"transformer_final_wd{wd:g}.weights.h5")
        cases.append({"model": "config", "data": "config", "weight_decay": wd,
                      "initial_weights": "transformer_initial.weights.h5", **c})
    keras.utils.set_random_seed(42)
    model = masked_block()
    save_weights(model, os.path.join(HERE, "transformer_block_initial.weights.h5"))
    c = train(model, os.path.join(HERE, "transformer_block_initial.weights.h5"), *data["masked_block"], DECAYS[0],
              "transformer_block_final.weights.h5")
    cases.append({"model": "masked_block", "data": "masked_block", "weight_decay": DECAYS[0],
                  "initial_weights": "transformer_block_initial.weights.h5", **c})
    return {"vocab": VOCAB, "maxlen": MAXLEN, "batch": BATCH, "warmup_steps": WARMUP, "decay_steps": DECAY,
            "warmup_target": PEAK,
            "data": {k: {"tokens": [x.reshape(-1).tolist() for x in xs], "labels": [y.tolist() for y in ys]}
                     for k, (xs, ys) in data.items()},
            "cases": cases}


def main():
    golden = {"keras": keras.__version__, "tensorflow": tf.__version__,
              "initializers": initializer_stats(), "steps": steps()}
    with open(os.path.join(HERE, "transformer_golden.json"), "w") as f:
        json.dump(golden, f, indent=None, separators=(",", ":"))
        f.write("\n")
    for w in golden["initializers"]:
        print(f"{w['path']:45s} {str(w['shape']):15s} std {w['std']:.4f} min {w['min']:+.4f} "
              f"max {w['max']:+.4f} bound {w['bound']:.4f} fans {w['fans']}")


if __name__ == "__main__":
    main()

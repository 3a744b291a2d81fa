"""Writes transformer_golden.json and its weights files: configs/imdb_transformer.yaml's
model, built by its Keras twin's own code (bench/keras/imdb_transformer.py's build), to
check that tfrun trains it as Keras does (importer/transformer_keras_test.go).

Two parts:

- "initializers": the twin's model at its real size (num_words 20000, maxlen 400) built
  with keras.utils.set_random_seed(42): for every weight, its count, mean, std, min and max,
  and the bound Keras's initializer draws within (glorot_uniform: sqrt(6/(fan_in +
  fan_out)), fans from the initializer's own input_axes/output_axes as Keras 3 gives them
  to EinsumDense kernels; Embedding's uniform: 0.05; zeros and ones: 0).
- "steps": the same model, smaller (num_words 100, maxlen 24; the layers and their sizes
  as the config's) with every Dropout rate 0, its initial weights saved
  (transformer_initial.weights.h5), then 20 train_on_batch steps on fixed batches of 8
  synthetic reviews (token ids 3..99, pre-padded with 0 to lengths 1..24, the label
  tilting the ids drawn) with AdamW on CosineDecay(0, decay_steps 15, warmup_target 1e-3,
  warmup_steps 5) as the config's schedule shortened; for each step the learning rate,
  loss and accuracy (train_on_batch resets the metrics: the batch's own). Twice: with the
  config's weight_decay 0.01 and with 1.0 (so the decoupled decay, which Keras applies to
  every trainable variable, moves the weights by more than the float noise). The weights
  after the 20 steps: transformer_final_wd<decay>.weights.h5.

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

VOCAB, MAXLEN, BATCH, STEPS = 100, 24, 8, 20
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


def batches():
    rng = np.random.default_rng(7)
    xs, ys = [], []
    for _ in range(STEPS):
        x = np.zeros((BATCH, MAXLEN), dtype="int32")
        y = rng.integers(0, 2, BATCH).astype("int32")
        for i in range(BATCH):
            n = int(rng.integers(1, MAXLEN + 1))
            lo, hi = (3, 70) if y[i] == 0 else (30, VOCAB)
            x[i, MAXLEN - n:] = rng.integers(lo, hi, n)
        xs.append(x)
        ys.append(y)
    return xs, ys


def save_weights(model, path):
    """model.save_weights without the optimizer's variables (half the file)."""
    opt = model.optimizer
    model.optimizer = None
    try:
        model.save_weights(path)
    finally:
        model.optimizer = opt


def steps():
    twin.MAXLEN = MAXLEN
    keras.utils.set_random_seed(42)
    model = twin.build(mask=True, dropout=0.0, num_words=VOCAB)
    initial = os.path.join(HERE, "transformer_initial.weights.h5")
    save_weights(model, initial)
    xs, ys = batches()
    cases = []
    for wd in DECAYS:
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
        final = f"transformer_final_wd{wd:g}.weights.h5"
        save_weights(model, os.path.join(HERE, final))
        cases.append({"weight_decay": wd, "learning_rate": lrs, "loss": losses, "accuracy": accs,
                      "final_weights": final})
        print(f"weight_decay {wd:g}: loss {losses[0]:.6f} → {losses[-1]:.6f}")
    return {"vocab": VOCAB, "maxlen": MAXLEN, "batch": BATCH, "warmup_steps": WARMUP, "decay_steps": DECAY,
            "warmup_target": PEAK, "tokens": [x.reshape(-1).tolist() for x in xs],
            "labels": [y.tolist() for y in ys], "cases": cases}


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

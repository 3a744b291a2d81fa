"""Records three updates of Keras 3's optimizers given an Embedding-like gradient, for
sparse_golden_test.go (graphs.OptimizerOptions.SparseEmbeddingGradients).

Each case makes one Keras optimizer from a config, a float32 table "embeddings" [6, 3] and
a float32 "bias" [3] with seeded values, and for each of three steps a lookup of 8 ids into
the table in which ids repeat, one seeded gradient row per occurrence, and a seeded dense
gradient of the bias. The table's gradient goes to apply_gradients as a tf.IndexedSlices
(values: the 8 rows, indices: the ids), as Keras's Embedding's gradient reaches the
optimizer on the TensorFlow backend; the bias's as a dense tensor. After each step it
records both variables and the optimizer's slots (under tfrun's slot names) into
graphs/testdata/keras_sparse_optimizers.json.

Run from the repository root with the bench environment (make bench-env):

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python graphs/testdata/keras/make_sparse_golden.py
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

CASES = [
    ("adam", {"type": "Adam", "learning_rate": 0.01}),
    ("adamw", {"type": "AdamW", "learning_rate": 0.01, "weight_decay": 0.1}),
    ("rmsprop", {"type": "RMSprop", "learning_rate": 0.01}),
    ("rmsprop_momentum", {"type": "RMSprop", "learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
]

# Keras's slot lists (attribute names) under tfrun's slot names.
SLOTS = {
    "Adam": {"m": "_momentums", "v": "_velocities"},
    "AdamW": {"m": "_momentums", "v": "_velocities"},
    "RMSprop": {"rms": "_velocities", "momentum": "_momentums"},
}

ROWS, DIM, LOOKUPS, STEPS = 6, 3, 8, 3
# The ids of each step's lookup: ids repeat (1 three times in the first), some rows are
# not looked up (0 in the first two steps), as in a batch of text.
IDS = [[1, 1, 1, 2, 4, 2, 1, 5], [3, 3, 5, 5, 5, 2, 4, 3], [0, 1, 2, 3, 4, 5, 0, 0]]


def values(a):
    # The shortest decimal that reads back as the same float32 (str of a numpy float32).
    return [float(str(v)) for v in np.asarray(a, dtype=np.float32).ravel()]


def main(out_path):
    rng = np.random.default_rng(20261207)
    cases = []
    for name, config in CASES:
        args = {k: v for k, v in config.items() if k != "type"}
        opt = getattr(keras.optimizers, config["type"])(**args)
        table0 = rng.uniform(-1, 1, size=(ROWS, DIM)).astype(np.float32)
        bias0 = rng.uniform(-1, 1, size=(DIM,)).astype(np.float32)
        rows = [(2 * rng.uniform(-1, 1, size=(LOOKUPS, DIM))).astype(np.float32) for _ in range(STEPS)]
        bias_grads = [(2 * rng.uniform(-1, 1, size=(DIM,))).astype(np.float32) for _ in range(STEPS)]
        table = keras.Variable(table0, name="embeddings")
        bias = keras.Variable(bias0, name="bias")
        steps = []
        for step in range(STEPS):
            sparse = tf.IndexedSlices(tf.constant(rows[step]), tf.constant(IDS[step], dtype=tf.int32),
                                      dense_shape=tf.constant([ROWS, DIM], dtype=tf.int64))
            opt.apply_gradients([(sparse, table), (tf.constant(bias_grads[step]), bias)])
            slots = {}
            for slot, attr in SLOTS[config["type"]].items():
                for n, s in zip(["embeddings", "bias"], getattr(opt, attr, None) or []):
                    if s is not None:
                        slots[n + "/" + slot] = values(s.numpy())
            steps.append({"embeddings": values(table.numpy()), "bias": values(bias.numpy()), "slots": slots,
                          "iterations": int(opt.iterations.numpy())})
        cases.append({
            "name": name, "config": config,
            "embeddings": values(table0), "bias": values(bias0),
            "ids": IDS, "rows": [values(r) for r in rows], "bias_gradients": [values(g) for g in bias_grads],
            "steps": steps,
        })
    doc = {
        "generator": "graphs/testdata/keras/make_sparse_golden.py",
        "keras": keras.__version__, "tensorflow": tf.__version__,
        "mode": "float32, apply_gradients with a tf.IndexedSlices table gradient, 3 steps",
        "shape": [ROWS, DIM],
        "cases": cases,
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "graphs/testdata/keras_sparse_optimizers.json")

"""Records Keras 3's TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy for
top_k_accuracy_test.go: the running result after each batch, for k 1, 2, 3 and 5, on
scores with ties at the k-th place, into builders/testdata/keras_top_k.json.

Run from the repository root with the bench environment (make bench-env):

    bench/.venv/bin/python builders/testdata/keras/make_top_k_golden.py
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402

CLASSES = 6


def main(out_path):
    rng = np.random.default_rng(11)
    batches = []
    for size in (7, 16, 5):
        ids = rng.integers(0, CLASSES, size=size)
        scores = rng.uniform(0, 1, size=(size, CLASSES)).astype(np.float32)
        # Ties: the label's score equal to others around the k-th place.
        scores[0] = [0.5, 0.5, 0.5, 0.1, 0.1, 0.1]
        ids[0] = 2
        scores[1] = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2]
        scores = scores / scores.sum(axis=1, keepdims=True)
        batches.append((ids, scores))
    out = []
    ms = {}
    for k in (1, 2, 3, 5):
        ms[f"top_{k}"] = keras.metrics.TopKCategoricalAccuracy(k=k)
        ms[f"sparse_top_{k}"] = keras.metrics.SparseTopKCategoricalAccuracy(k=k)
    for ids, scores in batches:
        onehot = np.eye(CLASSES, dtype=np.float32)[ids]
        results = {}
        for name, m in ms.items():
            m.update_state(ids if name.startswith("sparse") else onehot, scores)
            results[name] = float(m.result())
        out.append({"ids": ids.tolist(), "scores": scores.tolist(), "results": results})
    doc = {"generator": "builders/testdata/keras/make_top_k_golden.py", "keras": keras.__version__,
           "classes": CLASSES, "batches": out}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} batches to {out_path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "keras_top_k.json")))

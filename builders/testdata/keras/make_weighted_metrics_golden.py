"""Records Keras 3's metrics with sample weights (Model.compile's weighted_metrics) over
three batches, for weighted_metrics_test.go: for one sigmoid output, BinaryAccuracy, AUC,
Precision, Recall, MeanSquaredError, MeanAbsoluteError and RootMeanSquaredError; for three
softmax outputs, SparseCategoricalAccuracy on class ids and CategoricalAccuracy on the same
classes one-hot. Each metric's result after the last batch (its state accumulated over the
three, as Model.fit's epoch value), into builders/testdata/keras_weighted_metrics.json.
Weights include 0 and values above 1.

Run from the repository root with the bench environment (make bench-env):

    bench/.venv/bin/python builders/testdata/keras/make_weighted_metrics_golden.py
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402


def main(out_path):
    rng = np.random.default_rng(22)
    binary_ms = {"binary_accuracy": keras.metrics.BinaryAccuracy(), "auc": keras.metrics.AUC(),
                 "precision": keras.metrics.Precision(), "recall": keras.metrics.Recall(),
                 "mean_squared_error": keras.metrics.MeanSquaredError(),
                 "mean_absolute_error": keras.metrics.MeanAbsoluteError(),
                 "root_mean_squared_error": keras.metrics.RootMeanSquaredError()}
    class_ms = {"sparse_categorical_accuracy": keras.metrics.SparseCategoricalAccuracy(),
                "categorical_accuracy": keras.metrics.CategoricalAccuracy()}
    batches = []
    for size in (7, 12, 5):
        y = rng.integers(0, 2, size=(size, 1)).astype(np.float32)
        p = np.clip(0.3 * y + 0.7 * rng.uniform(0, 1, size=(size, 1)), 0, 1).astype(np.float32)
        ids = rng.integers(0, 3, size=(size,)).astype(np.float32)
        probs = rng.dirichlet(np.ones(3), size=size).astype(np.float32)
        w = rng.choice([0.0, 0.5, 1.0, 2.5], size=(size,)).astype(np.float32)
        for m in binary_ms.values():
            m.update_state(y, p, sample_weight=w)
        class_ms["sparse_categorical_accuracy"].update_state(ids, probs, sample_weight=w)
        class_ms["categorical_accuracy"].update_state(np.eye(3, dtype=np.float32)[ids.astype(int)], probs, sample_weight=w)
        batches.append({"y_true": y.ravel().tolist(), "y_pred": [float(v) for v in p.ravel()],
                        "ids": ids.tolist(), "probs": [float(v) for v in probs.ravel()], "sample_weight": w.tolist()})
    results = {name: float(m.result()) for name, m in {**binary_ms, **class_ms}.items()}
    doc = {"generator": "builders/testdata/keras/make_weighted_metrics_golden.py", "keras": keras.__version__,
           "batches": batches, "results": results}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(batches)} batches, {len(results)} results to {out_path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "keras_weighted_metrics.json")))

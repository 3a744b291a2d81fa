"""Records Keras 3's stateful classification metrics over several batches, for
confusion_test.go: AUC (200 thresholds, ROC, interpolation), Precision and Recall (at 0.5)
and binary accuracy, their running results after each batch as Model.fit's progress line
shows them (the state reset only at the start), into builders/testdata/keras_metrics.json.

Run from the repository root with the bench environment (make bench-env):

    bench/.venv/bin/python builders/testdata/keras/make_metrics_golden.py
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402


def main(out_path):
    rng = np.random.default_rng(7)
    batches = []
    for size in (8, 16, 5, 32):
        y_true = rng.integers(0, 2, size=(size, 1)).astype(np.float32)
        # Scores that lean towards the label, with exact 0, 1 and threshold values among them.
        y_pred = np.clip(0.35 * y_true + 0.65 * rng.uniform(0, 1, size=(size, 1)), 0, 1).astype(np.float32)
        y_pred[0, 0] = 0.0
        y_pred[1, 0] = 1.0
        y_pred[2, 0] = 0.5
        y_pred[3, 0] = np.float32(100 / 199)
        batches.append((y_true, y_pred))
    ms = {"auc": keras.metrics.AUC(), "precision": keras.metrics.Precision(),
          "recall": keras.metrics.Recall(), "binary_accuracy": keras.metrics.BinaryAccuracy()}
    out = []
    for y_true, y_pred in batches:
        results = {}
        for name, m in ms.items():
            m.update_state(y_true, y_pred)
            results[name] = float(m.result())
        out.append({"y_true": y_true.ravel().tolist(), "y_pred": [float(v) for v in y_pred.ravel()], "results": results})
    doc = {"generator": "builders/testdata/keras/make_metrics_golden.py", "keras": keras.__version__, "batches": out}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} batches to {out_path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "keras_metrics.json")))

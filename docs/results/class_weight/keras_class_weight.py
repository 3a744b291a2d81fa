"""The Keras side of docs/results/class_weight.md: the same logistic regression as
unweighted.yaml / weighted.yaml (a Normalization adapted on the training rows, then
Dense(1, sigmoid); binary_crossentropy; Adam(learning_rate); batch_size 32, shuffled each
epoch) on the same files make_slice.py writes, trained with and without the same
class_weight, printing one JSON line per seed and variant with the per-class recall on
the test rows (a probability > 0.5 predicts benign, class 1).

Usage (from the repository root, after make_slice.py):
  bench/.venv/bin/python docs/results/class_weight/keras_class_weight.py runs/cw_data EPOCHS LR SEED...
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402

CLASS_WEIGHT = {0: 9.4, 1: 0.528}  # weighted.yaml's


def load(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
    t = header.index("target")
    return np.delete(data, t, axis=1), data[:, t]


def main(data_dir, epochs, lr, seeds):
    x, y = load(os.path.join(data_dir, "train.csv"))
    xt, yt = load(os.path.join(data_dir, "test.csv"))
    for seed in seeds:
        for variant, cw in (("unweighted", None), ("weighted", CLASS_WEIGHT)):
            keras.utils.set_random_seed(seed)
            norm = keras.layers.Normalization()
            norm.adapt(x)
            model = keras.Sequential([keras.Input((x.shape[1],)), norm, keras.layers.Dense(1, activation="sigmoid")])
            model.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=epochs, batch_size=32, shuffle=True, class_weight=cw, verbose=0)
            pred = (model.predict(xt, verbose=0)[:, 0] > 0.5).astype(np.float32)
            recall = {c: float(np.mean(pred[yt == c] == c)) for c in (0, 1)}
            print(json.dumps({"tool": "keras", "variant": variant, "seed": seed,
                              "recall_malignant": recall[0], "recall_benign": recall[1],
                              "accuracy": float(np.mean(pred == yt))}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), [int(s) for s in sys.argv[4:]])

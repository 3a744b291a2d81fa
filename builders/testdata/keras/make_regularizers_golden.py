"""Records a Keras 3 model with weight and activity regularizers, for regularizer_golden_test.go.

A small model, Conv2D(2, 3, padding="same", kernel_regularizer=L1L2(1e-3, 1e-2),
bias_regularizer=L2(0.05)) → Flatten → Dense(3, softmax, kernel_regularizer=L2(0.05),
bias_regularizer=L1(0.02), activity_regularizer=L2(0.01)), gets fixed weights drawn
from a seeded generator. On a fixed batch it records, all as float32 values:

- the compiled loss alone (sparse_categorical_crossentropy),
- model.losses (each penalty, in Keras's order) and the training loss
  model.compute_loss(...) in training mode: the compiled loss plus their sum,
- the gradients of that training loss with respect to every weight (one step's),
- model.evaluate's loss on the same batch (Keras 3 adds model.losses there too).

Run from the repository root with the bench environment (make bench-env):

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python builders/testdata/keras/make_regularizers_golden.py
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

L = keras.layers
R = keras.regularizers


def f32(a):
    # The shortest decimal that reads back as the same float32 (str of a numpy float32).
    return [float(str(v)) for v in np.asarray(a, dtype=np.float32).ravel()]


def main(out_path):
    rng = np.random.default_rng(22)
    model = keras.Sequential([
        keras.Input((4, 4, 2)),
        L.Conv2D(2, 3, padding="same", kernel_regularizer=R.L1L2(l1=1e-3, l2=1e-2),
                 bias_regularizer=R.L2(0.05)),
        L.Flatten(),
        L.Dense(3, activation="softmax", kernel_regularizer=R.L2(0.05),
                bias_regularizer=R.L1(0.02), activity_regularizer=R.L2(0.01)),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    for w in model.weights:
        w.assign(rng.uniform(-0.5, 0.5, w.shape).astype(np.float32))
    x = rng.normal(size=(3, 4, 4, 2)).astype(np.float32)
    y = np.array([0, 2, 1], dtype=np.float32)

    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        penalties = [float(p) for p in model.losses]
        total = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
    grads = tape.gradient(total, model.trainable_weights)
    compiled = keras.losses.sparse_categorical_crossentropy(y, y_pred)
    evaluated = model.evaluate(x, y, batch_size=3, verbose=0)

    out = {
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "input_shape": list(x.shape),
        "input": f32(x),
        "labels": f32(y),
        "weights": [{"path": w.path, "shape": list(w.shape), "values": f32(w.numpy())} for w in model.weights],
        "compiled_loss": f32(np.mean(compiled))[0],
        "penalties": f32(penalties),
        "loss": f32(total)[0],
        "evaluate_loss": f32(evaluated)[0],
        "gradients": [f32(g.numpy()) for g in grads],
    }
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "builders/testdata/keras_regularizers.json")

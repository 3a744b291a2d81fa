"""Records a Keras 3 functional model of two inputs and two outputs, for tfrun's tests of
several outputs (docs/guide/multi_io.md).

The model: two int32 inputs (title, body; of one length, as tfrun calls a shared layer
again only on its first call's shape) through one shared Embedding, each pooled,
concatenated, a hidden Dense, then two heads, class (Dense(3, softmax)) and value
(Dense(1)). Compiled as Keras's compile takes per-output arguments:
loss={"class": sparse_categorical_crossentropy, "value": mse},
loss_weights={"class": 1.0, "value": 0.5}. Its weights are drawn from a seeded
generator, its inputs and labels fixed; recorded are the weights (with Keras's paths),
both inference outputs, one training step's total loss (what compile's loss returns: the
weighted sum), each output's unweighted loss (what Keras logs as <output>_loss), the
gradient of the total for every trainable weight, and the log names of one epoch of fit
with validation and per-output metrics. builders/multi_output_golden_test.go builds the
twin.

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python builders/testdata/keras/make_multi_output_golden.py
"""

import json
import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

L = keras.layers
LOSSES = {"class": "sparse_categorical_crossentropy", "value": "mse"}
LOSS_WEIGHTS = {"class": 1.0, "value": 0.5}
METRICS = {"class": ["accuracy"], "value": ["mae"]}


def model():
    title = keras.Input((4,), dtype="int32", name="title")
    body = keras.Input((4,), dtype="int32", name="body")
    emb = L.Embedding(12, 4, name="emb")
    t = L.GlobalAveragePooling1D(name="title_pool")(emb(title))
    b = L.GlobalAveragePooling1D(name="body_pool")(emb(body))
    h = L.Concatenate(name="join")([t, b])
    h = L.Dense(5, activation="tanh", name="hidden")(h)
    c = L.Dense(3, activation="softmax", name="class")(h)
    v = L.Dense(1, name="value")(h)
    return keras.Model({"title": title, "body": body}, {"class": c, "value": v})


def f32(a):
    return [float(str(v)) for v in np.asarray(a, dtype=np.float32).ravel()]


def main(out_path):
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(4000)
    m = model()
    weights = []
    for w in m.weights:
        v = rng.uniform(-0.5, 0.5, size=tuple(w.shape)).astype(np.float32)
        w.assign(v)
        weights.append({"path": w.path, "shape": list(w.shape), "trainable": w.trainable, "values": f32(v)})
    n = 5
    x = {"title": rng.integers(0, 12, size=(n, 4)).astype(np.int32),
         "body": rng.integers(0, 12, size=(n, 4)).astype(np.int32)}
    y = {"class": rng.integers(0, 3, size=n).astype(np.int32),
         "value": rng.uniform(-1, 1, size=(n, 1)).astype(np.float32)}
    m.compile(optimizer="sgd", loss=LOSSES, loss_weights=LOSS_WEIGHTS, metrics=METRICS)
    out = m(x, training=False)
    with tf.GradientTape() as tape:
        pred = m(x, training=True)
        total = m.compute_loss(x=x, y=y, y_pred=pred)
    grads = tape.gradient(total, m.trainable_weights)
    each = {k: float(keras.losses.get(LOSSES[k])(y[k], pred[k]).numpy().mean()) for k in LOSSES}
    # The log names: one epoch of fit (after the values above are taken) on the batch
    # repeated, with a validation split.
    xs = {k: np.concatenate([v] * 4) for k, v in x.items()}
    ys = {k: np.concatenate([v] * 4) for k, v in y.items()}
    history = m.fit(xs, ys, batch_size=5, epochs=1, validation_split=0.25, verbose=0)
    doc = {
        "generator": "builders/testdata/keras/make_multi_output_golden.py",
        "keras": keras.__version__, "tensorflow": tf.__version__,
        "losses": LOSSES, "loss_weights": LOSS_WEIGHTS, "metrics": METRICS,
        "output_names": list(m.output_names),
        "inputs": {k: {"shape": list(v.shape), "values": [int(i) for i in v.ravel()]} for k, v in x.items()},
        "labels": {k: {"shape": list(v.shape), "values": f32(v)} for k, v in y.items()},
        "weights": weights,
        "outputs": {k: {"shape": list(np.shape(v)), "values": f32(v)} for k, v in out.items()},
        "loss": float(total), "output_losses": each,
        "gradients": [{"path": w.path, "values": f32(tf.convert_to_tensor(g))} for w, g in zip(m.trainable_weights, grads)],
        "log_names": sorted(history.history),
    }
    text = json.dumps(doc, indent=1, default=str)
    text = re.sub(r"\[[^\[\]{}]*\]", lambda mt: re.sub(r"\s*\n\s*", "", mt.group(0)).replace(",", ", "), text)
    with open(out_path, "w") as f:
        f.write(text + "\n")
    print(f"wrote {out_path}: loss {float(total):.6f} = {each}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "keras_multi_output.json")))

"""Records Keras 3 merge layers and functional models, for tfrun's functional tests.

Merge cases: one Keras merge layer called on several fixed inputs (inference); the
inputs, output and config are recorded. Model cases: a keras.Model built with the
functional API, its weights drawn from a seeded generator, its inputs and labels fixed;
recorded are the weights (with Keras's paths), the inference output, and one training
step's loss (sparse categorical cross-entropy of the softmax output, training=True) and
its gradient for every trainable weight. The Go tests build the twins from YAML
(assemble/functional_golden_test.go) and from builders (builders/merge_golden_test.go).

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python builders/testdata/keras/make_functional_golden.py
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

# name: (layer factory, input shapes with batch)
MERGES = [
    ("add", lambda: L.Add(), [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    ("add_broadcast", lambda: L.Add(), [(2, 3, 4), (2, 1, 4), (2, 4)]),
    ("subtract", lambda: L.Subtract(), [(2, 3, 4), (2, 3, 1)]),
    ("multiply", lambda: L.Multiply(), [(2, 5), (2, 5), (2, 1)]),
    ("average", lambda: L.Average(), [(2, 3, 4), (2, 3, 4)]),
    ("maximum", lambda: L.Maximum(), [(2, 3, 4), (2, 3, 4), (2, 4)]),
    ("minimum", lambda: L.Minimum(), [(2, 6), (2, 6)]),
    ("concatenate", lambda: L.Concatenate(), [(2, 3, 2), (2, 3, 4)]),
    ("concatenate_axis1", lambda: L.Concatenate(axis=1), [(2, 3, 4), (2, 2, 4), (2, 1, 4)]),
    ("concatenate_axis_2", lambda: L.Concatenate(axis=-2), [(2, 2, 3, 2), (2, 2, 1, 2)]),
    ("dot_vectors", lambda: L.Dot(axes=1), [(2, 5), (2, 5)]),
    ("dot_normalize", lambda: L.Dot(axes=-1, normalize=True), [(2, 5), (2, 5)]),
    ("dot_matrices", lambda: L.Dot(axes=(1, 2)), [(2, 3, 4), (2, 5, 3)]),
    ("dot_seq_vector", lambda: L.Dot(axes=(2, 1)), [(2, 3, 4), (2, 4)]),
]


def residual():
    """x → Conv2D → BatchNormalization → ReLU → Conv2D → Add(x) → GAP → Dense(softmax)."""
    x = keras.Input((6, 6, 3), name="image")
    h = L.Conv2D(3, 3, padding="same", name="conv1")(x)
    h = L.BatchNormalization(name="bn1")(h)
    h = L.Activation("relu", name="relu1")(h)
    h = L.Conv2D(3, 3, padding="same", name="conv2")(h)
    h = L.Add(name="res")([h, x])
    h = L.GlobalAveragePooling2D(name="pool")(h)
    y = L.Dense(4, activation="softmax", name="head")(h)
    return keras.Model(x, y), (4, 6, 6, 3), 4


def shared():
    """ids → Embedding → two poolings → one shared Dense on both → Concatenate → Dense."""
    x = keras.Input((5,), dtype="int32", name="ids")
    e = L.Embedding(12, 4, name="emb")(x)
    a = L.GlobalAveragePooling1D(name="mean")(e)
    b = L.GlobalMaxPooling1D(name="max")(e)
    d = L.Dense(3, activation="tanh", name="shared")
    j = L.Concatenate(name="join")([d(a), d(b)])
    y = L.Dense(2, activation="softmax", name="head")(j)
    return keras.Model(x, y), (4, 5), 2


MODELS = [("residual", residual), ("shared", shared)]


def f32(a):
    return [float(str(v)) for v in np.asarray(a, dtype=np.float32).ravel()]


def main(out_path):
    merges = []
    for i, (name, make, shapes) in enumerate(MERGES):
        keras.backend.clear_session()
        rng = np.random.default_rng(2000 + i)
        xs = [rng.uniform(-1, 1, size=s).astype(np.float32) for s in shapes]
        layer = make()
        y = np.asarray(layer(xs))
        merges.append({
            "name": name, "class": type(layer).__name__,
            "config": {k: v for k, v in layer.get_config().items() if k not in ("dtype", "name", "trainable")},
            "input_shapes": [list(s) for s in shapes], "inputs": [f32(x) for x in xs],
            "output_shape": list(y.shape), "output": f32(y),
        })
    models = []
    for i, (name, make) in enumerate(MODELS):
        keras.backend.clear_session()
        rng = np.random.default_rng(3000 + i)
        model, shape, classes = make()
        weights = []
        for w in model.weights:
            v = rng.uniform(-0.5, 0.5, size=tuple(w.shape)).astype(np.float32)
            if w.path.endswith("gamma") or w.path.endswith("moving_variance"):
                v = v + np.float32(1)
            w.assign(v)
            weights.append({"path": w.path, "shape": list(w.shape), "trainable": w.trainable, "values": f32(v)})
        if name == "shared":
            x = rng.integers(0, 12, size=shape).astype(np.int32)
        else:
            x = rng.uniform(-1, 1, size=shape).astype(np.float32)
        labels = rng.integers(0, classes, size=shape[0]).astype(np.int32)
        y = np.asarray(model(x, training=False))
        loss_fn = keras.losses.SparseCategoricalCrossentropy()
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        models.append({
            "name": name,
            "input_shape": list(shape), "input": [float(v) for v in np.ravel(x)],
            "labels": [int(v) for v in labels],
            "weights": weights, "output_shape": list(y.shape), "output": f32(y),
            "loss": float(loss),
            "gradients": [{"path": w.path, "values": f32(tf.convert_to_tensor(g))} for w, g in zip(model.trainable_weights, grads)],
        })
    doc = {
        "generator": "builders/testdata/keras/make_functional_golden.py",
        "keras": keras.__version__, "tensorflow": tf.__version__,
        "merges": merges, "models": models,
    }
    text = json.dumps(doc, indent=1, default=str)
    text = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", "", m.group(0)).replace(",", ", "), text)
    with open(out_path, "w") as f:
        f.write(text + "\n")
    print(f"wrote {len(merges)} merge cases and {len(models)} models to {out_path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "keras_functional.json")))

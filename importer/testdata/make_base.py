"""Writes base.keras and its twins, the Keras model importer's initial-weights tests start
fine-tuning from: a tiny CNN for 28x28 grayscale images (Fashion-MNIST's shape), its
BatchNormalization given non-trivial statistics, so that a frozen base carried through
tfrun's training can be compared with the file value for value.

Run from the repository root with the project's venv (keras 3.15.1, TensorFlow 2.18):

    bench/.venv/bin/python importer/testdata/make_base.py

It writes base.keras, base_legacy.h5 (Keras 2's model file) and base.weights.h5
(model.save_weights), a few KB each.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import keras

HERE = os.path.dirname(os.path.abspath(__file__))

keras.utils.set_random_seed(3)
rng = np.random.default_rng(3)
image = keras.Input((28, 28, 1), name="image")
x = keras.layers.Conv2D(4, 3, strides=2, activation="relu", name="conv")(image)
x = keras.layers.BatchNormalization(name="bn")(x)
x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
out = keras.layers.Dense(3, activation="softmax", name="probs")(x)
model = keras.Model(image, out, name="base")
bn = model.get_layer("bn")
bn.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if i in (0, 3)
                else rng.normal(0, 0.3, w.shape).astype("float32")
                for i, w in enumerate(bn.get_weights())])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.save(os.path.join(HERE, "base.keras"))
model.save(os.path.join(HERE, "base_legacy.h5"))
model.save_weights(os.path.join(HERE, "base.weights.h5"))
for name in ("base.keras", "base_legacy.h5", "base.weights.h5"):
    print(name, os.path.getsize(os.path.join(HERE, name)), "bytes")

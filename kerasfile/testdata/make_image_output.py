"""Writes image_output.keras: a model whose output is an image (a tiny generator: noise [8]
→ Dense(16) → Reshape((4, 4, 1))), which tfrun import refuses with the reason: a run
directory holds classifiers and regressors, one output vector per example.

    bench/.venv/bin/python kerasfile/testdata/make_image_output.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras

HERE = os.path.dirname(os.path.abspath(__file__))

keras.utils.set_random_seed(1)
model = keras.Sequential([
    keras.Input((8,)),
    keras.layers.Dense(16, activation="tanh", name="project"),
    keras.layers.Reshape((4, 4, 1), name="image"),
], name="image_output")
model.save(os.path.join(HERE, "image_output.keras"))

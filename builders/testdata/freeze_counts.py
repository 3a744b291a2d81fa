"""Keras 3's parameter counts of TestFrozenLayers's model (builders/freeze_test.go).

Dense(4, relu) and BatchNormalization and Bidirectional(LSTM(2)) frozen, a Dense(3) head
trained. Run: bench/.venv/bin/python builders/testdata/freeze_counts.py
"""
import keras
from keras import layers

hidden = layers.Dense(4, activation="relu", name="hidden")
bn = layers.BatchNormalization(name="bn")
bidi = layers.Bidirectional(layers.LSTM(2), name="bidi")
model = keras.Sequential([keras.Input((5,)), hidden, bn, layers.Reshape((2, 2)), bidi,
                          layers.Dense(3, activation="softmax", name="head")])
for layer in (hidden, bn, bidi):
    layer.trainable = False
trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
frozen = sum(int(w.numpy().size) for w in model.non_trainable_weights)
print(f"total {trainable + frozen}, trainable {trainable}, non-trainable {frozen}")

"""Keras 3's parameter counts of configs/examples/fine_tune_phase1.yaml and _phase2.yaml.

The model rebuilt with a nested base model, frozen (phase 1) and not (phase 2), as Keras's
transfer-learning guide does; TestFineTuneExamples checks tfrun's summary.txt against
the counts printed here. Run: bench/.venv/bin/python classifier/testdata/fine_tune_counts.py
"""
import keras
from keras import layers


def base_model():
    image = keras.Input((28, 28, 1), name="image")
    stem = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="stem")(image)
    x = layers.Conv2D(16, 3, padding="same", name="conv1")(stem)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.Activation("relu", name="relu1")(x)
    x = layers.Conv2D(16, 3, padding="same", name="conv2")(x)
    x = layers.Add(name="res")([x, stem])
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(image, x, name="base")


base = base_model()
inputs = keras.Input((28, 28, 1))
x = base(inputs, training=False)
x = layers.Dropout(0.2, name="dropout")(x)
outputs = layers.Dense(10, activation="softmax", name="fashion_head")(x)
model = keras.Model(inputs, outputs)


def counts(phase):
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    frozen = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    print(f"{phase}: total {trainable + frozen}, trainable {trainable}, non-trainable {frozen}")


base.trainable = False
counts("phase 1")
base.trainable = True
counts("phase 2")

# Keras 3 twin of tfrun's fine-tuning example pair (docs/results/fine_tuning.md): the model of
# configs/examples/mnist_residual.yaml pretrained on MNIST, then fine_tune_phase1.yaml (frozen
# base called with training=False, new head, Adam 1e-3) and fine_tune_phase2.yaml (base
# unfrozen, still training=False, Adam 1e-5) on Fashion-MNIST, 3 epochs each, batch 128,
# validation on the test split, pixels scaled to [-1, 1] as tfrun's built-in image data.
#
# Keras 3 does not keep a base called with training=False in inference mode: a functional
# model passes fit's training=True to every layer, overriding the recorded training=False
# (keras/src/models/functional.py, operation_fn; keras-team/keras#20285), so once the base is
# unfrozen its BatchNormalization trains on Fashion-MNIST's batches. tfrun's
# model.base.training: false does what Keras's guide means; this twin gets the same with a
# BatchNormalization told to run in inference mode for phase 2 (--keras-bn keeps Keras 3's
# own behaviour instead).
#   bench/.venv/bin/python docs/results/fine_tuning_keras.py [DATA_DIR]   # default ../shared/data
import gzip, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np, keras
from keras import layers

args = [a for a in sys.argv[1:] if not a.startswith("--")]
data = args[0] if args else "../shared/data"
keras_bn = "--keras-bn" in sys.argv
keras.utils.set_random_seed(42)


def load(name, split):
    with gzip.open(f"{data}/{name}/{split}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
    with gzip.open(f"{data}/{name}/{split}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype("int32")
    return (x.astype("float32") - 127.5) / 127.5, y


def fit(model, name, lr):
    (x, y), (xt, yt) = load(name, "train"), load(name, "t10k")
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=3, batch_size=128, validation_data=(xt, yt), verbose=2)
    loss, acc = model.evaluate(xt, yt, batch_size=128, verbose=0)
    print(f"{name} lr {lr}: test loss {loss:.4f}, test accuracy {acc:.4f}")


class BatchNormalization(layers.BatchNormalization):
    """Keras's, with inference_only: always inference mode, as base(x, training=False) means."""

    inference_only = False

    def call(self, inputs, training=None, mask=None):
        return super().call(inputs, training=False if self.inference_only else training, mask=mask)


image = keras.Input((28, 28, 1), name="image")
stem = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="stem")(image)
x = layers.Conv2D(16, 3, padding="same", name="conv1")(stem)
bn1 = BatchNormalization(name="bn1")
x = bn1(x)
x = layers.Activation("relu", name="relu1")(x)
x = layers.Conv2D(16, 3, padding="same", name="conv2")(x)
x = layers.Add(name="res")([x, stem])
pool = layers.GlobalAveragePooling2D(name="pool")(x)
base = keras.Model(image, pool, name="base")
pretrain = keras.Model(image, layers.Dense(10, activation="softmax", name="head")(pool))
print("pretraining on MNIST")
fit(pretrain, "mnist", 1e-3)

inputs = keras.Input((28, 28, 1))
x = base(inputs, training=False)
x = layers.Dropout(0.2, name="dropout")(x)
model = keras.Model(inputs, layers.Dense(10, activation="softmax", name="fashion_head")(x))
base.trainable = False
print("phase 1: frozen base, new head")
fit(model, "fashion-mnist", 1e-3)
base.trainable = True
bn1.inference_only = not keras_bn
print("phase 2: everything, low learning rate", "(Keras 3's BatchNormalization: trains)" if keras_bn else "(BatchNormalization in inference mode)")
fit(model, "fashion-mnist", 1e-5)

# Keras's transfer-learning recipe on CIFAR-10, the Keras side (docs/results/fine_tuning.md,
# run by docs/results/transfer.sh with tfrun's side):
#
#   data      writes the transfer task's images as PNG folders, the data route tfrun already
#             has (data.format: image_directory): classes 5-9 (dog, frog, horse, ship, truck,
#             label ids 0-4 in that alphabetical order), the first 500 training images of each
#             class (2,500, a small slice) and all 5,000 test images of these classes.
#   pretrain  trains a small functional CNN in the shape of configs/cifar_classifier.yaml
#             (Conv2D-BatchNormalization-ReLU blocks) on classes 0-4 (airplane, automobile,
#             bird, cat, deer: 25,000 training images, tested on their 5,000) and saves it as
#             OUT/cifar_base.keras, which tfrun import reads.
#   transfer  the same recipe as tfrun's configs/examples/transfer_phase{1,2}.yaml, in Keras,
#             on the same images: load cifar_base.keras, a new head on its pool output,
#             phase 1 with the base frozen (Adam 1e-3), phase 2 with everything trainable at a
#             low rate (Adam 1e-4); and configs/examples/transfer_scratch.yaml's baseline, the
#             same model from random weights on the slice for as many epochs as both phases.
#
# Pixels reach the models as x/255, as tfrun's image_directory gives them (scale: unit).
# Batch 128 for pretraining, 32 for the transfer phases; validation on the test images.
#   bench/.venv/bin/python docs/results/transfer_keras.py data|pretrain|transfer [--data DIR] [--out DIR]
import argparse, os, tarfile
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("step", choices=["data", "pretrain", "transfer"])
p.add_argument("--data", default="../shared/data", help="holds cifar-10-binary.tar.gz")
p.add_argument("--out", default="runs/transfer")
p.add_argument("--pretrain-epochs", type=int, default=5)
p.add_argument("--epochs", type=int, default=5, help="epochs of each transfer phase")
a = p.parse_args()

NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
PER_CLASS = 500  # the transfer task's training images per class


def cifar(split):
    """The CIFAR-10 records of split ("train" or "test") as uint8 [n, 32, 32, 3] and labels."""
    members = [f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["cifar-10-batches-bin/test_batch.bin"]
    with tarfile.open(os.path.join(a.data, "cifar-10-binary.tar.gz")) as t:
        raw = np.concatenate([np.frombuffer(t.extractfile(m).read(), np.uint8).reshape(-1, 3073) for m in members])
    return raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), raw[:, 0].astype("int32")


def subset(x, y, classes, per_class=None):
    """The images of classes (in file order, the first per_class of each), labelled 0..k-1."""
    keep = np.zeros(len(y), bool)
    for c in classes:
        idx = np.flatnonzero(y == c)
        keep[idx[:per_class] if per_class else idx] = True
    return x[keep], np.searchsorted(classes, y[keep]).astype("int32")


PRE, TRANSFER = [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]
ckpt = os.path.join(a.out, "cifar_base.keras")

if a.step == "data":
    import tensorflow as tf
    for split, per in (("train", PER_CLASS), ("test", None)):
        x, y = subset(*cifar(split), TRANSFER, per)
        for i, (img, label) in enumerate(zip(x, y)):
            d = os.path.join(a.out, "data", split, NAMES[TRANSFER[label]])
            os.makedirs(d, exist_ok=True)
            tf.io.write_file(os.path.join(d, f"{i:05d}.png"), tf.io.encode_png(img))
        print(f"{split}: {len(y)} images of {', '.join(NAMES[c] for c in TRANSFER)} in {a.out}/data/{split}")
    raise SystemExit

import keras
from keras import layers

keras.utils.set_random_seed(42)


def fit(model, lr, data, epochs, batch):
    (x, y), (xt, yt) = data
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=batch, validation_data=(xt, yt), verbose=2)
    loss, acc = model.evaluate(xt, yt, batch_size=128, verbose=0)
    print(f"  test loss {loss:.4f}, test accuracy {acc:.4f}", flush=True)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    print(f"  weights: {model.count_params()} ({trainable} trainable)", flush=True)


def scaled(x, y):
    return x.astype("float32") / 255, y


def build(head):
    """The small functional CNN: cifar_classifier's Conv2D-BatchNormalization-ReLU blocks
    (32, 64/2, 64/2, 128/2), global average pooling, Dropout and a 5-class head."""
    image = keras.Input((32, 32, 3), name="image")
    x = image
    for i, (filters, strides) in enumerate([(32, 1), (64, 2), (64, 2), (128, 2)], 1):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dropout(0.3, name="drop")(x)
    return keras.Model(image, layers.Dense(5, activation="softmax", name=head)(x), name="cifar_base")


if a.step == "pretrain":
    train, test = cifar("train"), cifar("test")
    data = (scaled(*subset(*train, PRE)), scaled(*subset(*test, PRE)))
    print(f"pretrain on {', '.join(NAMES[c] for c in PRE)}: {len(data[0][1])} training images, {len(data[1][1])} test, {a.pretrain_epochs} epochs, Adam 1e-3, batch 128", flush=True)
    model = build("head")
    fit(model, 1e-3, data, a.pretrain_epochs, 128)
    model.save(ckpt)
    print(f"saved {ckpt}")
    raise SystemExit

# transfer: the same images tfrun reads from the PNG folders.
train, test = cifar("train"), cifar("test")
data = (scaled(*subset(*train, TRANSFER, PER_CLASS)), scaled(*subset(*test, TRANSFER)))
print(f"transfer to {', '.join(NAMES[c] for c in TRANSFER)}: {len(data[0][1])} training images, {len(data[1][1])} test, {a.epochs} epochs a phase, batch 32", flush=True)

base = keras.models.load_model(ckpt)
pool = base.get_layer("pool").output
x = layers.Dropout(0.3, name="drop")(pool)
model = keras.Model(base.input, layers.Dense(5, activation="softmax", name="transfer_head")(x), name="transfer")
base_layers = [l for l in model.layers if l.name not in ("drop", "transfer_head")]
for l in base_layers:  # base.trainable = False: everything up to pool
    l.trainable = False
print("phase 1: base frozen, new head transfer_head, Adam 1e-3", flush=True)
fit(model, 1e-3, data, a.epochs, 32)
for l in base_layers:  # base.trainable = True
    l.trainable = True
print("phase 2: everything trainable, Adam 1e-4", flush=True)
fit(model, 1e-4, data, a.epochs, 32)

keras.utils.set_random_seed(42)
scratch = build("transfer_head")
print(f"baseline: the same model from random weights on the slice, Adam 1e-3, {2 * a.epochs} epochs", flush=True)
fit(scratch, 1e-3, data, 2 * a.epochs, 32)

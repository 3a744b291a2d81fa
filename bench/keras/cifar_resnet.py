"""Keras twin of configs/cifar_resnet.yaml: ResNet-20 v1 on CIFAR-10 with flip and shift
augmentation, L2 1e-4 and SGD with Nesterov momentum on a warm-up + cosine schedule.

The data: the official binary archive cifar-10-binary.tar.gz (data_batch_1..5 for training,
test_batch for the test), pixels as float32 x/255 (tfrun's default scale for classifiers),
labels 0..9.

The model, as the config, layer for layer and name for name: RandomFlip("horizontal"),
RandomTranslation(0.125, 0.125, fill_mode="constant"), Conv2D(16, 3, same) + BN + relu,
three stages of three blocks (16, 32, 64 filters; conv-BN-relu-conv-BN, Add with the block's
input or with a strided 1x1 convolution of it where the stage halves the resolution, relu),
GlobalAveragePooling2D, Dense(10, softmax, he_normal). L2 1e-4 on every convolution's
kernel; Keras's defaults elsewhere (glorot_uniform convolutions, BatchNormalization momentum
0.99 and epsilon 1e-3). 274,442 parameters. SGD(momentum=0.9, nesterov=True) on
CosineDecay(0.0, decay_steps=10948, warmup_target=0.1, warmup_steps=782), batch 128,
30 epochs, validated on the test set each epoch.

    bench/.venv/bin/python bench/keras/cifar_resnet.py --data ../shared/data/cifar-10-binary.tar.gz \
        --backup /tmp/cifar_resnet_keras --json /tmp/cifar_resnet_keras.json

prints Keras's verbose=2 epoch lines, then one JSON line: test accuracy and loss after each
epoch, seconds of each epoch (fit's wall time, validation included), the versions, the CPU
and the thread counts. With --backup, keras.callbacks.BackupAndRestore keeps the training
state in that directory after every epoch, and running the same command again continues an
interrupted run from its last finished epoch (as tfrun's -resume does); the epoch times of
the earlier process are read back from the CSV log kept there.
"""

import argparse
import csv
import json
import os
import tarfile
import time

from common import cpu_model

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

EPOCHS = 30
BATCH = 128
L2 = 1e-4


def load_cifar(path):
    """(x_train, y_train, x_test, y_test): uint8 [n, 32, 32, 3] pixels and int32 labels."""
    import numpy as np

    parts = {}
    with tarfile.open(path) as tar:
        for m in tar:
            name = os.path.basename(m.name)
            if name.endswith(".bin") and m.isfile():
                parts[name] = tar.extractfile(m).read()
    train = [parts["data_batch_%d.bin" % i] for i in range(1, 6)]
    test = [parts["test_batch.bin"]]

    def decode(blobs):
        raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(-1, 1 + 3 * 32 * 32)
        labels = raw[:, 0].astype("int32")
        pixels = raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # CHW → HWC
        return np.ascontiguousarray(pixels), labels

    x_train, y_train = decode(train)
    x_test, y_test = decode(test)
    return x_train, y_train, x_test, y_test


def build(steps_per_epoch, epochs):
    import keras
    from keras import layers, regularizers

    def conv(filters, kernel, strides, name):
        return layers.Conv2D(filters, kernel, strides=strides, padding="same",
                             kernel_regularizer=regularizers.L2(L2), name=name)

    image = keras.Input((32, 32, 3), name="image")
    x = layers.RandomFlip("horizontal", name="flip")(image)
    x = layers.RandomTranslation(0.125, 0.125, fill_mode="constant", name="shift")(x)
    x = conv(16, 3, 1, "stem_conv")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    for s, filters in enumerate((16, 32, 64)):
        for b in range(3):
            n = "s%db%d" % (s + 1, b + 1)
            strides = 2 if s > 0 and b == 0 else 1
            y = conv(filters, 3, strides, n + "_conv1")(x)
            y = layers.BatchNormalization(name=n + "_bn1")(y)
            y = layers.Activation("relu", name=n + "_relu1")(y)
            y = conv(filters, 3, 1, n + "_conv2")(y)
            y = layers.BatchNormalization(name=n + "_bn2")(y)
            shortcut = conv(filters, 1, 2, n + "_shortcut")(x) if strides == 2 else x
            y = layers.Add(name=n + "_add")([y, shortcut])
            x = layers.Activation("relu", name=n + "_out")(y)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    out = layers.Dense(10, activation="softmax", kernel_initializer="he_normal", name="head")(x)
    model = keras.Model(image, out, name="cifar_resnet")

    warmup = 2 * steps_per_epoch
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=epochs * steps_per_epoch - warmup, warmup_target=0.1, warmup_steps=warmup)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="../shared/data/cifar-10-binary.tar.gz", help="cifar-10-binary.tar.gz")
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--limit", type=int, default=0, help="keep the first N training and N test images (smoke runs)")
    p.add_argument("--threads", type=int, default=0, help="TensorFlow intra-op threads (0: TensorFlow's default)")
    p.add_argument("--backup", default="", help="BackupAndRestore directory: resume an interrupted run from it")
    p.add_argument("--json", default="", help="also write the JSON result to this file")
    args = p.parse_args()

    import numpy as np
    import keras
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = load_cifar(args.data)
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
        x_test, y_test = x_test[:args.limit], y_test[:args.limit]
    x_train = x_train.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0

    # The schedule is written for the full set's 391 steps an epoch, as the config's numbers.
    steps = -(-50000 // BATCH)
    model = build(steps, EPOCHS)
    params = int(sum(np.prod(w.shape) for w in model.weights))

    class EpochTimes(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs["seconds"] = time.perf_counter() - self.t

    callbacks = [EpochTimes()]
    log = None
    if args.backup:
        os.makedirs(args.backup, exist_ok=True)
        callbacks.append(keras.callbacks.BackupAndRestore(os.path.join(args.backup, "state")))
        log = os.path.join(args.backup, "history.csv")
        callbacks.append(keras.callbacks.CSVLogger(log, append=True))
    model.fit(x_train, y_train, batch_size=BATCH, epochs=args.epochs, validation_data=(x_test, y_test),
              callbacks=callbacks, verbose=2)

    rows = []
    if log:  # the last row of each epoch: a rerun of a finished run starts over
        with open(log) as f:
            by_epoch = {int(r["epoch"]): r for r in csv.DictReader(f)}
        rows = [by_epoch[e] for e in sorted(by_epoch)]
    result = {
        "model": "cifar_resnet",
        "parameters": params,
        "epochs": [{"epoch": int(r["epoch"]) + 1, "seconds": float(r["seconds"]),
                    "test_accuracy": float(r["val_accuracy"]), "test_loss": float(r["val_loss"]),
                    "accuracy": float(r["accuracy"]), "loss": float(r["loss"])} for r in rows],
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "cpu": cpu_model(),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset"),
    }
    if not log:
        loss, acc = model.evaluate(x_test, y_test, batch_size=BATCH, verbose=0)
        result["test_accuracy"], result["test_loss"] = acc, loss
    line = json.dumps(result)
    print(line)
    if args.json:
        with open(args.json, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()

"""Writes the Keras models kerasfile's tests import, and Keras's outputs on fixed inputs.

Run from the repository root with the project's venv (keras 3.15.1, TensorFlow 2.18):

    bench/.venv/bin/python kerasfile/testdata/make_models.py            # the small models (committed)
    bench/.venv/bin/python kerasfile/testdata/make_models.py apps DIR   # keras.applications (not committed)

For each model NAME it writes NAME.keras and NAME.json: {"inputs": {input name: [shape,
values]}, "outputs": [[shape, values], ...]}, the model's outputs in inference mode on the
inputs (float32, row-major). Legacy Keras 2 .h5 and .weights.h5 twins are written for
the CNN.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import keras

HERE = os.path.dirname(os.path.abspath(__file__))


def save(model, name, inputs, out_dir=HERE, legacy=False):
    path = os.path.join(out_dir, name + ".keras")
    model.save(path)
    outs = model(inputs if len(inputs) > 1 else list(inputs.values())[0], training=False)
    if not isinstance(outs, (list, tuple)):
        outs = [outs]
    doc = {
        "inputs": {k: [list(v.shape), np.asarray(v, np.float32).ravel().tolist()] for k, v in inputs.items()},
        "outputs": [[list(o.shape), np.asarray(o, np.float32).ravel().tolist()] for o in outs],
    }
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(doc, f)
    if legacy:
        model.save(os.path.join(out_dir, name + "_legacy.h5"))
        model.save_weights(os.path.join(out_dir, name + ".weights.h5"))
    print(name, os.path.getsize(path), "bytes")


def randomize_bn(model, rng):
    """Gives BatchNormalization layers non-trivial moving statistics, gamma and beta."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if i in (0, 3)
                               else rng.normal(0, 0.3, w.shape).astype("float32")
                               for i, w in enumerate(layer.get_weights())])


def small_models():
    rng = np.random.default_rng(7)
    keras.utils.set_random_seed(7)

    # A Sequential CNN: Conv2D, BatchNormalization, pooling, Dropout, Dense.
    cnn = keras.Sequential([
        keras.Input((12, 12, 1)),
        keras.layers.Conv2D(6, 3, activation="relu", name="conv1"),
        keras.layers.BatchNormalization(name="bn1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(8, 3, padding="same", name="conv2"),
        keras.layers.Activation("relu", name="relu2"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dropout(0.3, name="drop"),
        keras.layers.Dense(16, activation="relu", name="fc"),
        keras.layers.Dense(5, activation="softmax", name="probs"),
    ], name="cnn")
    randomize_bn(cnn, rng)
    cnn.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    save(cnn, "cnn", {"input": rng.uniform(0, 1, (4, 12, 12, 1)).astype("float32")}, legacy=True)

    # A functional model of two inputs: a shared Dense, Add and Concatenate.
    a = keras.Input((6,), name="a")
    b = keras.Input((6,), name="b")
    shared = keras.layers.Dense(8, activation="tanh", name="shared")
    sa, sb = shared(a), shared(b)
    added = keras.layers.Add(name="add")([sa, sb])
    cat = keras.layers.Concatenate(name="cat")([added, sb])
    h = keras.layers.Dense(4, activation="relu", name="hidden")(cat)
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(h)
    two = keras.Model([a, b], out, name="two_inputs")
    save(two, "two_inputs", {"a": rng.normal(0, 1, (5, 6)).astype("float32"),
                             "b": rng.normal(0, 1, (5, 6)).astype("float32")})

    # A text model: Embedding, LSTM, Dense.
    text = keras.Sequential([
        keras.Input((10,), dtype="int32"),
        keras.layers.Embedding(50, 8, name="embed"),
        keras.layers.LSTM(6, name="lstm"),
        keras.layers.Dense(3, activation="softmax", name="probs"),
    ], name="text")
    save(text, "text", {"input": rng.integers(0, 50, (4, 10)).astype("int32")})

    # A table model: plain numeric features (exports a features signature).
    table = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu", name="hidden"),
        keras.layers.Dense(3, activation="softmax", name="probs"),
    ], name="table")
    table.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    save(table, "table", {"input": rng.normal(0, 1, (3, 4)).astype("float32")})

    # ZeroPadding2D with different padding before and after and Dropout with a
    # noise_shape, as MobileNetV2 and EfficientNet use them (a functional model), after
    # an adapted Normalization, as EfficientNet has: its count is an int64 weight.
    x = keras.Input((7, 7, 3), name="image")
    norm = keras.layers.Normalization(name="norm")
    norm.adapt(np.random.default_rng(3).uniform(0, 1, (5, 7, 7, 3)).astype("float32"))
    y = norm(x)
    y = keras.layers.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(y)
    y = keras.layers.Conv2D(4, 3, strides=2, name="conv")(y)
    y = keras.layers.Dropout(0.2, noise_shape=(None, 1, 1, 1), name="drop_examples")(y)
    y = keras.layers.ZeroPadding2D(((1, 0), (2, 1)), name="pad2")(y)
    y = keras.layers.Dropout(0.3, noise_shape=(None, 1, 1, 4), name="drop_channels")(y)
    y = keras.layers.GlobalAveragePooling2D(name="gap")(y)
    y = keras.layers.Dense(3, activation="softmax", name="probs")(y)
    padded = keras.Model(x, y, name="padded")
    save(padded, "padded", {"input": rng.uniform(0, 1, (2, 7, 7, 3)).astype("float32")})

    # Cropping2D in Keras's three forms, with different crops before and after.
    x = keras.Input((9, 8, 3), name="image")
    y = keras.layers.Cropping2D(((0, 1), (2, 0)), name="crop")(x)
    y = keras.layers.Conv2D(4, 3, name="conv")(y)
    y = keras.layers.Cropping2D(((1, 0), (0, 2)), name="crop2")(y)
    y = keras.layers.Cropping2D((1, 0), name="crop3")(y)
    y = keras.layers.Flatten(name="flat")(y)
    y = keras.layers.Dense(3, activation="softmax", name="probs")(y)
    cropped = keras.Model(x, y, name="cropped")
    save(cropped, "cropped", {"input": rng.uniform(0, 1, (2, 9, 8, 3)).astype("float32")})

    # A model with what tfrun lacks: every problem is listed.
    x = keras.Input((8, 8, 3))
    y = keras.layers.Conv2D(4, 3, dilation_rate=1, groups=1, data_format="channels_first", name="conv_cf")(x)
    y = keras.layers.UnitNormalization(name="unit")(y)
    y = keras.layers.Flatten()(y)
    y = keras.layers.Dense(2, kernel_constraint="non_neg", name="dense_nn")(y)
    bad = keras.Model(x, y, name="unsupported")
    bad.save(os.path.join(HERE, "unsupported.keras"))


def applications(out_dir):
    rng = np.random.default_rng(11)
    apps = {
        "mobilenet_v2": lambda: keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=4, alpha=0.35),
        "resnet50": lambda: keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=4),
        "efficientnet_b0": lambda: keras.applications.EfficientNetB0(weights=None, input_shape=(32, 32, 3), classes=4),
        "densenet121": lambda: keras.applications.DenseNet121(weights=None, input_shape=(32, 32, 3), classes=4),
    }
    os.makedirs(out_dir, exist_ok=True)
    for name, make in apps.items():
        keras.utils.set_random_seed(5)
        model = make()
        randomize_bn(model, rng)
        save(model, name, {"input": rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")}, out_dir=out_dir)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "apps":
        applications(sys.argv[2])
    else:
        small_models()

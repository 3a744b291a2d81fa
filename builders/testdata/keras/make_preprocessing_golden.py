"""Records Keras 3 outputs of the image preprocessing and augmentation layers, for
preprocessing_golden_test.go.

Deterministic layers (Rescaling, Resizing, CenterCrop) and the random layers in inference
are run as Keras runs them (layer(x, training=False)). A random layer's training output
depends on its random draws, which tfrun cannot reproduce bit for bit; so for those cases
the script fixes the draws ("draws", one row per image) and records Keras's
transform_images for the transformation those draws make. RandomCrop's inference case
records smart_resize, the centre crop tfrun (and tf.keras) applies in
inference: Keras 3.15's own RandomCrop returns its input unchanged there, which is not
the shape its compute_output_shape declares.

Run from the repository root with the bench environment (make bench-env):

    bench/.venv/bin/python builders/testdata/keras/make_preprocessing_golden.py
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

L = keras.layers
IMG = (2, 5, 6, 3)


def flips(d):
    return {"flips": np.array(d, "float32").reshape(-1, 1, 1, 1) <= 0.5}


def translations(layer, d):
    return {"translations": np.array(d, "float32"), "input_shape": IMG}


def rotation(layer, d):
    b = len(d)
    angle = tf.constant(np.array(d, "float32").reshape(-1))
    m = layer._compute_affine_matrix(
        center_x=0.5, center_y=0.5, angle=angle,
        translate_x=tf.zeros([b]), translate_y=tf.zeros([b]), scale=tf.ones([b]),
        shear_x=tf.zeros([b]), shear_y=tf.zeros([b]), height=IMG[1], width=IMG[2])
    return {"rotation_matrix": m}


def zooms(layer, d):
    d = np.array(d, "float32")
    return {"width_zoom": d[:, 0:1], "height_zoom": d[:, 1:2], "input_shape": IMG}


def contrast(layer, d):
    return {"contrast_factor": np.array(d, "float32").reshape(-1, 1, 1, 1)}


def corner(layer, d):
    return (int(d[0][0]), int(d[0][1]))


# name: (layer factory, input scale, draws or None (inference), transformation maker)
CASES = [
    ("rescaling", lambda: L.Rescaling(1 / 255), 255.0, None, None),
    ("rescaling_offset", lambda: L.Rescaling(1 / 127.5, offset=-1), 255.0, None, None),
    ("resizing_up", lambda: L.Resizing(7, 9), 1.0, None, None),
    ("resizing_down", lambda: L.Resizing(3, 4), 1.0, None, None),
    ("resizing_nearest", lambda: L.Resizing(7, 4, interpolation="nearest"), 1.0, None, None),
    ("resizing_crop_to_aspect_ratio", lambda: L.Resizing(3, 3, crop_to_aspect_ratio=True), 1.0, None, None),
    ("center_crop", lambda: L.CenterCrop(3, 4), 1.0, None, None),
    ("center_crop_larger", lambda: L.CenterCrop(7, 4), 1.0, None, None),
    ("random_crop_inference", lambda: L.RandomCrop(3, 4), 1.0, None, None),
    ("random_flip_inference", lambda: L.RandomFlip(), 1.0, None, None),
    ("random_translation_inference", lambda: L.RandomTranslation(0.2, 0.3), 1.0, None, None),
    ("random_rotation_inference", lambda: L.RandomRotation(0.2), 1.0, None, None),
    ("random_zoom_inference", lambda: L.RandomZoom(0.2), 1.0, None, None),
    ("random_contrast_inference", lambda: L.RandomContrast(0.5), 1.0, None, None),
    ("random_flip_horizontal", lambda: L.RandomFlip("horizontal"), 1.0, [[0.2], [0.8]], lambda l, d: flips(d)),
    ("random_flip_vertical", lambda: L.RandomFlip("vertical"), 1.0, [[0.7], [0.5]], lambda l, d: flips(d)),
    ("random_flip", lambda: L.RandomFlip(), 1.0, [[0.1], [0.9]], lambda l, d: flips(d)),
    ("random_translation", lambda: L.RandomTranslation(0.5, 0.5), 1.0, [[1.5, -0.7], [-2.0, 1.0]], translations),
    ("random_translation_wrap_nearest", lambda: L.RandomTranslation(0.5, 0.5, fill_mode="wrap", interpolation="nearest"),
     1.0, [[1.5, -0.7], [-2.0, 1.0]], translations),
    ("random_translation_constant", lambda: L.RandomTranslation(0.5, 0.5, fill_mode="constant", fill_value=0.5),
     1.0, [[2.25, 1.0], [-3.0, -1.5]], translations),
    ("random_translation_nearest", lambda: L.RandomTranslation(0.5, 0.5, fill_mode="nearest"), 1.0, [[2.25, 1.0], [-3.0, -1.5]], translations),
    ("random_rotation", lambda: L.RandomRotation(0.5), 1.0, [[30.0], [-100.0]], rotation),
    ("random_rotation_constant_nearest", lambda: L.RandomRotation(0.5, fill_mode="constant", interpolation="nearest"),
     1.0, [[45.0], [170.0]], rotation),
    ("random_zoom", lambda: L.RandomZoom(0.5, 0.5), 1.0, [[1.3, 0.8], [0.7, 0.7]], zooms),
    ("random_zoom_wrap", lambda: L.RandomZoom(0.5, fill_mode="wrap"), 1.0, [[1.4, 1.4], [0.6, 0.6]], zooms),
    ("random_contrast", lambda: L.RandomContrast(0.5, value_range=(0, 1)), 1.0, [[0.5], [1.4]], contrast),
    ("random_crop", lambda: L.RandomCrop(3, 4), 1.0, [[1, 2], [1, 2]], corner),
    # Adapted on the case's own input (layer.adapt(x)), then run on it.
    ("normalization", lambda: L.Normalization(), 255.0, None, None),
]


def f32(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def main(out_path):
    rng = np.random.default_rng(23)
    cases = []
    for name, make, scale, draws, transformation in CASES:
        keras.backend.clear_session()  # each layer gets its default name
        layer = make()
        x = (rng.random(IMG) * scale).astype("float32")
        if draws is None:
            if name == "normalization":
                layer.adapt(x)
                y = layer(x)
            elif name == "random_crop_inference":
                y = keras.preprocessing.image.smart_resize(x, (layer.height, layer.width))
            else:
                y = layer(x, training=False)
        else:
            layer.build(IMG)
            y = layer.transform_images(tf.constant(x), transformation(layer, draws), training=True)
        y = np.asarray(y)
        cases.append({
            "name": name,
            "class": type(layer).__name__,
            "layer_name": layer.name,
            "config": {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype", "trainable", "seed")},
            "input_shape": list(IMG),
            "input": f32(x),
            "draws": draws,
            "output_shape": list(y.shape),
            "output": f32(y),
            "weights": [{"path": w.path, "shape": list(w.shape), "values": f32(w.numpy())} for w in layer.weights],
        })
    doc = {"keras": keras.__version__, "tensorflow": tf.__version__, "cases": cases}
    with open(out_path, "w") as f:
        f.write(json.dumps(doc, indent=1, default=str) + "\n")
    print(f"wrote {len(cases)} cases to {out_path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "keras_preprocessing.json"))

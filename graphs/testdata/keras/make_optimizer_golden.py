"""Records three updates of Keras 3's optimizers, for optimizers_golden_test.go.

Each case makes one Keras optimizer from a config (its class name and arguments, as a
tfrun YAML's train.optimizer gives them), two float32 variables ("kernel" [3, 4] and
"bias" [4]) with seeded values, and three seeded gradient pairs; it applies the three
gradient pairs with apply_gradients and records after each step the variables and the
optimizer's slots (under tfrun's slot names) as float32 values, into
graphs/testdata/keras_optimizers.json. It also records each optimizer class's get_config()
with Keras's defaults ("defaults"), which configs' tests compare with its optimizer specs.

Run from the repository root with the bench environment (make bench-env):

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python graphs/testdata/keras/make_optimizer_golden.py
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

# name: config (type and arguments). A case with only a type checks Keras's defaults.
CASES = [
    ("adam", {"type": "Adam", "learning_rate": 0.01}),
    ("adam_clipnorm", {"type": "Adam", "learning_rate": 0.01, "clipnorm": 0.5}),
    ("adam_global_clipnorm", {"type": "Adam", "learning_rate": 0.01, "global_clipnorm": 0.8}),
    ("adam_clipvalue", {"type": "Adam", "learning_rate": 0.01, "clipvalue": 0.3}),
    ("adam_weight_decay", {"type": "Adam", "learning_rate": 0.05, "weight_decay": 0.1}),
    ("adamw", {"type": "AdamW"}),
    ("adamw_args", {"type": "AdamW", "learning_rate": 0.05, "weight_decay": 0.2, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
    ("adagrad", {"type": "Adagrad"}),
    ("adagrad_args", {"type": "Adagrad", "learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
    ("adagrad_zero_accumulator_clipnorm", {"type": "Adagrad", "learning_rate": 0.05, "initial_accumulator_value": 0.0, "clipnorm": 1.0}),
    ("adadelta", {"type": "Adadelta"}),
    ("adadelta_args", {"type": "Adadelta", "learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-3}),
    ("adamax", {"type": "Adamax"}),
    ("adamax_args", {"type": "Adamax", "learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3}),
    ("nadam", {"type": "Nadam"}),
    ("nadam_args", {"type": "Nadam", "learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
    ("nadam_global_clipnorm", {"type": "Nadam", "learning_rate": 0.01, "global_clipnorm": 0.5}),
    ("lion", {"type": "Lion"}),
    ("lion_args", {"type": "Lion", "learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
    ("lion_weight_decay", {"type": "Lion", "learning_rate": 0.01, "weight_decay": 0.5}),
    ("sgd", {"type": "SGD"}),
    ("sgd_momentum_clipvalue", {"type": "SGD", "learning_rate": 0.1, "momentum": 0.9, "clipvalue": 0.4}),
    ("sgd_nesterov", {"type": "SGD", "learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd_nesterov_weight_decay", {"type": "SGD", "learning_rate": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.3}),
    ("rmsprop_momentum_clipnorm", {"type": "RMSprop", "learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "clipnorm": 0.7}),
]

# Keras's slot lists (attribute names) under tfrun's slot names.
SLOTS = {
    "Adam": {"m": "_momentums", "v": "_velocities"},
    "AdamW": {"m": "_momentums", "v": "_velocities"},
    "Adagrad": {"accumulator": "_accumulators"},
    "Adadelta": {"accumulated_grad": "_accumulated_grads", "accumulated_delta_var": "_accumulated_delta_vars"},
    "Adamax": {"momentum": "_m", "norm": "_u"},
    "Nadam": {"momentum": "_momentums", "velocity": "_velocities"},
    "Lion": {"momentum": "_momentums"},
    "SGD": {"momentum": "momentums"},
    "RMSprop": {"rms": "_velocities", "momentum": "_momentums"},
}

SHAPES = [("kernel", (3, 4)), ("bias", (4,))]
STEPS = 3


def values(a):
    # The shortest decimal that reads back as the same float32 (str of a numpy float32).
    return [float(str(v)) for v in np.asarray(a, dtype=np.float32).ravel()]


def main(out_path):
    rng = np.random.default_rng(20261206)
    cases = []
    for name, config in CASES:
        args = {k: v for k, v in config.items() if k != "type"}
        opt = getattr(keras.optimizers, config["type"])(**args)
        init = [rng.uniform(-1, 1, size=shape).astype(np.float32) for _, shape in SHAPES]
        grads = [[(2 * rng.uniform(-1, 1, size=shape)).astype(np.float32) for _, shape in SHAPES] for _ in range(STEPS)]
        variables = [keras.Variable(v, name=n) for v, (n, _) in zip(init, SHAPES)]
        steps = []
        for g in grads:
            opt.apply_gradients(zip([tf.constant(x) for x in g], variables))
            slots = {}
            for slot, attr in SLOTS[config["type"]].items():
                lst = getattr(opt, attr, None)
                for (n, _), s in zip(SHAPES, lst or []):
                    if s is not None:
                        slots[n + "/" + slot] = values(s.numpy())
            if config["type"] == "Nadam":
                slots["u_product"] = values(opt._u_product.numpy())
            steps.append({"variables": [values(v.numpy()) for v in variables], "slots": slots,
                          "iterations": int(opt.iterations.numpy())})
        cases.append({
            "name": name, "config": config,
            "variables": [{"name": n, "shape": list(s), "initial": values(v)} for (n, s), v in zip(SHAPES, init)],
            "gradients": [[values(x) for x in g] for g in grads],
            "steps": steps,
        })
    defaults = {}
    for typ in sorted(SLOTS):
        config = getattr(keras.optimizers, typ)().get_config()
        defaults[typ] = {k: v for k, v in config.items() if k != "name"}
    doc = {
        "generator": "graphs/testdata/keras/make_optimizer_golden.py",
        "keras": keras.__version__, "tensorflow": tf.__version__,
        "mode": "float32, apply_gradients, 3 steps",
        "cases": cases,
        "defaults": defaults,
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "graphs/testdata/keras_optimizers.json")

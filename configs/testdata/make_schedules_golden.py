"""Records Keras 3's learning-rate schedules at chosen steps, for schedule_test.go:
configs/testdata/keras_schedules.json.

Run from the repository root with the bench environment (make bench-env):

    bench/.venv/bin/python configs/testdata/make_schedules_golden.py
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

S = keras.optimizers.schedules
CASES = [
    ("exponential", {"type": "ExponentialDecay", "initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.96},
     S.ExponentialDecay(0.1, 100, 0.96), [0, 1, 50, 99, 100, 101, 250, 1000]),
    ("exponential_staircase", {"type": "ExponentialDecay", "initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.5, "staircase": True},
     S.ExponentialDecay(0.1, 100, 0.5, staircase=True), [0, 1, 99, 100, 101, 199, 200, 450]),
    ("cosine", {"type": "CosineDecay", "initial_learning_rate": 0.01, "decay_steps": 1000},
     S.CosineDecay(0.01, 1000), [0, 1, 250, 500, 999, 1000, 1500]),
    ("cosine_alpha", {"type": "CosineDecay", "initial_learning_rate": 0.01, "decay_steps": 1000, "alpha": 0.2},
     S.CosineDecay(0.01, 1000, alpha=0.2), [0, 300, 1000, 5000]),
    ("cosine_warmup", {"type": "CosineDecay", "initial_learning_rate": 0.0, "decay_steps": 1000, "alpha": 0.1, "warmup_target": 0.001, "warmup_steps": 100},
     S.CosineDecay(0.0, 1000, alpha=0.1, warmup_target=0.001, warmup_steps=100), [0, 1, 50, 99, 100, 101, 600, 1099, 1100, 2000]),
    ("piecewise", {"type": "PiecewiseConstantDecay", "boundaries": [100, 110], "values": [1.0, 0.5, 0.1]},
     S.PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1]), [0, 99, 100, 101, 110, 111, 1000]),
]


def main(out_path):
    out = []
    for name, config, schedule, steps in CASES:
        values = [float(schedule(step)) for step in steps]
        out.append({"name": name, "config": config, "steps": steps, "values": values})
    doc = {"generator": "configs/testdata/make_schedules_golden.py", "keras": keras.__version__, "cases": out}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} schedules to {out_path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "keras_schedules.json"))

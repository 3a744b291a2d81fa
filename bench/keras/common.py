"""Shared pieces of the Keras reference benchmarks in bench/keras/.

Every script takes --steps N --warmup W --batch B --json OUT [--precision P] and reports, as
JSON on stdout and in OUT:

    model               the benchmark's name (imdb_lstm, dcgan_mnist, ...)
    framework           "keras <version> / tensorflow <version>"
    batch_size, steps, warmup
    examples_per_sec    steps * batch / sum(step_seconds)
    step_seconds        wall time of each timed step (the W warm-up steps are not timed)
    first_step_seconds  model construction + compile/tracing + the first training step
    trainable_params    what model.summary() calls "Trainable params"
    peak_rss_bytes      resource.getrusage(RUSAGE_SELF).ru_maxrss * 1024
    precision           the Keras dtype policy: float32 or mixed_bfloat16

--precision mixed_bfloat16 sets keras.mixed_precision.set_global_policy("mixed_bfloat16")
before the model is built; every script gives its last layer dtype="float32" (a no-op under
float32), as Keras's mixed-precision guide asks, so the outputs and losses are float32, as
tfrun's are (builders/precision.go).

The inputs are random token ids or random images of the right shapes, drawn with a fixed
seed: a training step's cost does not depend on what the numbers are, so no data set is
downloaded. tfrun's side (bench/cmd/tfrun-bench) reports the same fields.
"""

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SEED = 42

# The dtype policies --precision takes (tfrun's precision key takes the same).
PRECISIONS = ("float32", "mixed_bfloat16")


def cpu_model():
    """/proc/cpuinfo's first model name ("unknown" without one)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def parse_args(model, batch):
    """The common command line; batch defaults to the model's batch size."""
    p = argparse.ArgumentParser(description=f"Keras reference benchmark: {model}")
    p.add_argument("--steps", type=int, default=50, help="timed training steps")
    p.add_argument("--warmup", type=int, default=2,
                   help="untimed steps first (>= 1; the first is reported as first_step_seconds)")
    p.add_argument("--batch", type=int, default=batch, help="batch size")
    p.add_argument("--json", default="", help="also write the JSON result to this file")
    p.add_argument("--precision", default="float32", choices=PRECISIONS, help="the Keras dtype policy")
    args = p.parse_args()
    if args.steps < 1 or args.warmup < 1 or args.batch < 1:
        p.error(f"--steps, --warmup and --batch must be >= 1, got {args.steps}, {args.warmup}, {args.batch}")
    if args.precision != "float32":
        import keras

        keras.mixed_precision.set_global_policy(args.precision)
    return args


def report(model, args, t0, step_ends, trainable_params):
    """Turns step end times into the JSON result and prints/writes it.

    t0 is the perf_counter time just before the model was constructed; step_ends holds
    the perf_counter time at the end of each of the warmup + steps training steps.
    """
    import keras
    import tensorflow as tf

    want = args.warmup + args.steps
    if len(step_ends) != want:
        sys.exit(f"{model}: ran {len(step_ends)} steps, want {want}")
    times = [t0] + list(step_ends)
    steps = [b - a for a, b in zip(times[args.warmup:], times[args.warmup + 1:])]
    result = {
        "model": model,
        "framework": f"keras {keras.__version__} / tensorflow {tf.__version__}",
        "batch_size": args.batch,
        "steps": args.steps,
        "warmup": args.warmup,
        "examples_per_sec": args.steps * args.batch / sum(steps),
        "step_seconds": steps,
        "first_step_seconds": step_ends[0] - t0,
        "trainable_params": int(trainable_params),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "precision": args.precision,
    }
    text = json.dumps(result)
    print(text)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, args.json)
    return result


def fit_classifier(model_name, args, maxlen, build):
    """Times Model.fit on random IMDB-shaped data (token ids in [1, 20000), 0/1 labels).

    build() constructs and compiles the Keras model. fit runs one epoch of exactly
    warmup + steps batches, unshuffled, verbose=0; a callback stamps the end of each batch.
    Everything else is Keras's default (on a CPU-only machine, compile's jit_compile="auto"
    means no XLA, so both sides run TensorFlow's ordinary kernels).
    """
    import numpy as np
    import keras

    keras.utils.set_random_seed(SEED)
    n = (args.warmup + args.steps) * args.batch
    rng = np.random.default_rng(SEED)
    x = rng.integers(1, 20000, size=(n, maxlen), dtype=np.int32)
    y = rng.integers(0, 2, size=(n,)).astype(np.float32)

    class StepClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())

    clock = StepClock()
    t0 = time.perf_counter()
    model = build()
    model.fit(x, y, batch_size=args.batch, epochs=1, shuffle=False, verbose=0, callbacks=[clock])
    params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return report(model_name, args, t0, clock.ends, params)

"""Reads a tfrun checkpoint directory with Python TensorFlow's own checkpoint API.

Usage: python read_checkpoint.py RUN_DIR/checkpoints

Run by `make compat` (not part of `make test`): it proves TensorFlow 2.18 reads what tfrun
writes. It parses the `checkpoint` state file (tf.train.get_checkpoint_state), opens the
latest checkpoint (tf.train.latest_checkpoint, tf.train.load_checkpoint), lists every
variable (tf.train.list_variables) and reads each one, then checks what it read against
tfrun's sidecar ckpt-N.json: the same tensors with the same dtypes and shapes, all values
finite, the step counter equal to the checkpoint's step and, with one optimizer update per
step, the optimizer's iteration counter too. Exits 1 on any disagreement.
"""

import json
import os
import sys

import numpy as np
import tensorflow as tf


def describe(value):
    """A short summary of a tensor's values."""
    if value.ndim == 0:
        return f"value {value.item()!r}"
    flat = value.astype(np.float64).ravel()
    return f"mean {flat.mean():+.5f} std {flat.std():.5f} first {flat[0]:+.5f}"


def main(directory):
    print(f"TensorFlow {tf.__version__}")
    state = tf.train.get_checkpoint_state(directory)
    if state is None:
        sys.exit(f"{directory}: no checkpoint state file")
    print(f"checkpoint state: model_checkpoint_path={state.model_checkpoint_path!r} "
          f"all_model_checkpoint_paths={list(state.all_model_checkpoint_paths)}")
    path = tf.train.latest_checkpoint(directory)
    print(f"latest checkpoint: {path}")
    reader = tf.train.load_checkpoint(path)
    dtypes = reader.get_variable_to_dtype_map()
    with open(path + ".json") as f:
        sidecar = json.load(f)
    want = {t["name"]: (t["dtype"], list(t["shape"])) for t in sidecar["tensors"]}

    problems = []
    variables = tf.train.list_variables(path)
    print(f"{len(variables)} tensors (tf.train.list_variables + reader.get_tensor):")
    for name, shape in variables:
        value = reader.get_tensor(name)
        dtype = dtypes[name].name
        print(f"  {name:<62} {dtype:<8} {str(shape):<12} {describe(value)}")
        if name not in want:
            problems.append(f"{name}: not in the sidecar")
            continue
        if (dtype, list(shape)) != want.pop(name):
            problems.append(f"{name}: {dtype} {shape} here, sidecar says otherwise")
        if list(value.shape) != list(shape):
            problems.append(f"{name}: read shape {value.shape}, listed {shape}")
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            problems.append(f"{name}: non-finite values")
    for name in want:
        problems.append(f"{name}: in the sidecar, not in the checkpoint")

    step = sidecar["step"]
    if reader.has_tensor("step") and reader.get_tensor("step") != step:
        problems.append(f"step tensor {reader.get_tensor('step')} != checkpoint step {step}")
    for name, _ in variables:
        if name.endswith("/iterations") and reader.get_tensor(name) != step:
            problems.append(f"{name} = {reader.get_tensor(name)} != step {step}")
    fit = sidecar.get("state", {}).get("fit", {})
    print(f"sidecar: step {step}, epoch {fit.get('epoch')}, batch {fit.get('batch')}, "
          f"fingerprint {sidecar['fingerprint'][:12]}, {os.path.basename(path)} "
          f"({', '.join(f['name'] + ' ' + str(f['size']) + ' B' for f in sidecar['files'])})")
    if problems:
        print("PROBLEMS:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print(f"OK: Python TensorFlow {tf.__version__} listed and read all {len(variables)} tensors of {os.path.basename(path)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

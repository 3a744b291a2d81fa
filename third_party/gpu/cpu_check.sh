#!/usr/bin/env bash
# The GPU build trains on a CPU as the CPU build does: `make gpu-cpu-check`.
#
# Trains CONFIG for EPOCHS epochs on the first LIMIT examples with the CPU build (CPU_BIN)
# and with the CUDA build (GPU_BIN, on a machine without a GPU its CPU kernels), oneDNN off
# in both (TF_ENABLE_ONEDNN_OPTS=0: no reordered sums), and compares every number of their
# history.json and metrics.json (a GAN writes none) but the timings: |cpu - gpu| <= TOL * (1 + |cpu|). Prints
# both wall times and the largest difference; exit status 1 on a difference above TOL.
# On a machine with a GPU the CUDA build trains there and the numbers differ by more
# (other kernels, other summation orders): this check is for the CPU.
#
# Usage: third_party/gpu/cpu_check.sh CPU_BIN GPU_BIN CONFIG EPOCHS LIMIT TOL OUT_DIR
set -euo pipefail
cpu_bin=$1 gpu_bin=$2 config=$3 epochs=$4 limit=$5 tol=$6 out=$7

rm -rf "$out" && mkdir -p "$out"
for build in cpu gpu; do
  bin=$cpu_bin
  [[ $build == gpu ]] && bin=$gpu_bin
  "$bin" -version | sed "s/^/$build build: /"
  start=$EPOCHREALTIME
  TF_ENABLE_ONEDNN_OPTS=0 "$bin" -config "$config" -epochs "$epochs" -limit "$limit" -out "$out/$build" > "$out/$build.log" 2>&1 \
    || { echo "gpu-cpu-check: the $build build failed; see $out/$build.log" >&2; exit 1; }
  end=$EPOCHREALTIME
  awk -v b="$build" -v c="$config" -v e="$epochs" -v l="$limit" -v s="$start" -v t="$end" \
    'BEGIN { printf "%s build: %s, %s epochs, -limit %s: %.1f s wall\n", b, c, e, l, t - s }'
done

python3 - "$out/cpu" "$out/gpu" "$tol" <<'PY'
import json, sys
cpu, gpu, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
timings = {"seconds", "seconds_per_epoch"}

def numbers(prefix, x):
    """Yields (path, number) for every number in x, timings left out."""
    if isinstance(x, dict):
        for k, v in sorted(x.items()):
            if k not in timings:
                yield from numbers(f"{prefix}.{k}", v)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from numbers(f"{prefix}[{i}]", v)
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        yield prefix, float(x)

import os
worst, worst_at, bad, n = 0.0, "", [], 0
names = ["history.json"] + (["metrics.json"] if os.path.exists(f"{cpu}/metrics.json") else [])  # a GAN writes none
for name in names:
    a = dict(numbers(name, json.load(open(f"{cpu}/{name}"))))
    b = dict(numbers(name, json.load(open(f"{gpu}/{name}"))))
    if a.keys() != b.keys():
        sys.exit(f"gpu-cpu-check: {name}: the builds wrote different keys: {sorted(a.keys() ^ b.keys())}")
    for k in a:
        n += 1
        d = abs(a[k] - b[k])
        if d > worst:
            worst, worst_at = d, k
        if d > tol * (1 + abs(a[k])):
            bad.append(f"  {k}: cpu {a[k]!r}, gpu {b[k]!r}")
if "metrics.json" in names:
    m = json.load(open(f"{cpu}/metrics.json"))
    g = json.load(open(f"{gpu}/metrics.json"))
    print(f"cpu build: test_loss {m['test_loss']:.7f}, test_accuracy {m['test_accuracy']}")
    print(f"gpu build: test_loss {g['test_loss']:.7f}, test_accuracy {g['test_accuracy']}")
print(f"{n} numbers compared ({', '.join(names)}; timings left out); largest difference {worst:.3g}" + (f" ({worst_at})" if worst_at else "") + f"; tolerance {tol:g}·(1+|x|)")
if bad:
    print("gpu-cpu-check: FAILED: differences above the tolerance:\n" + "\n".join(bad))
    sys.exit(1)
print("gpu-cpu-check: ok")
PY

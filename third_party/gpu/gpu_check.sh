#!/usr/bin/env bash
# Where each op of each shipped config runs: `make gpu-check`, for a machine with a GPU.
#
# Prints the devices TensorFlow sees (tfrun -version), then trains one step of each config
# (-epochs 1 -limit <its batch size>: one training step and one evaluation) with
# ConfigProto.log_device_placement on (TFRUN_LOG_DEVICE_PLACEMENT=1) and sums up
# TensorFlow's placement lines: how many ops each device got and, when a GPU is present,
# which op types stayed on the CPU. Configs whose data set is not on this machine are
# reported and skipped. Exit status 1 if a config fails for another reason.
#
# Usage: third_party/gpu/gpu_check.sh TFRUN_BIN OUT_DIR [CONFIG...]   (default: configs/*.yaml)
set -euo pipefail
bin=$1 out=$2
shift 2
configs=("$@")
[[ ${#configs[@]} == 0 ]] && configs=(configs/*.yaml)

rm -rf "$out" && mkdir -p "$out"
"$bin" -version 2> "$out/version.err" | tee "$out/version.txt"
if ! grep -q '^devices:.*GPU:' "$out/version.txt"; then
  echo "gpu-check: no GPU present: TensorFlow sees no GPU on this machine, so every op below is placed on the CPU"
fi

failed=0
for config in "${configs[@]}"; do
  name=$(basename "$config" .yaml)
  batch=$(sed -n 's/^ *batch_size: *\([0-9]*\).*/\1/p' "$config" | head -1)
  start=$EPOCHREALTIME
  if ! TFRUN_LOG_DEVICE_PLACEMENT=1 TF_CPP_MIN_LOG_LEVEL=0 "$bin" -config "$config" -epochs 1 -limit "${batch:-32}" \
      -out "$out/$name" > "$out/$name.out" 2> "$out/$name.err"; then
    if grep -qiE 'not found|no such file|download' "$out/$name.err"; then
      echo "$name: skipped, its data set is not on this machine: $(grep -m1 -iE 'not found|no such file|download' "$out/$name.err")"
    else
      echo "$name: FAILED; see $out/$name.err"
      failed=1
    fi
    continue
  fi
  python3 - "$name" "$out/$name.err" "$start" "$EPOCHREALTIME" <<'PY'
import collections, re, sys
name, log, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
line = re.compile(r"placer\.cc:\d+\] (\S+): \((\w+)\): (\S+)$")
placed = {}  # op name -> (type, device); the last session's placement wins
for l in open(log, errors="replace"):
    m = line.search(l.rstrip("\n"))
    if m:
        placed[m.group(1)] = (m.group(2), m.group(3).rsplit("/device:", 1)[-1])
by_device = collections.Counter(d for _, d in placed.values())
summary = ", ".join(f"{d} {n}" for d, n in sorted(by_device.items()))
print(f"{name}: {len(placed)} ops placed: {summary} ({end - start:.1f} s)")
if any(d.startswith("GPU") for d in by_device):
    cpu_types = collections.Counter(t for t, d in placed.values() if d.startswith("CPU"))
    if cpu_types:
        print("  on the CPU: " + ", ".join(f"{t} {n}" for t, n in cpu_types.most_common()))
if not placed:
    print(f"  no placement lines in {log}")
    sys.exit(1)
PY
done
exit $failed

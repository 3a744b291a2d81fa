#!/usr/bin/env bash
# make bench-distributed: data-parallel scaling on this machine, for each config given.
# One process with one intra-op thread, then two worker processes (TF_CONFIG, 127.0.0.1)
# with one thread each, on the same global batch (the config's batch_size); the steady-state
# training throughput is the training examples of epochs 2.. over their seconds (epoch 1
# builds and warms up). A classifier's validation is left out of the config (and with it the
# callbacks that monitor it): an epoch's seconds then time training alone. A GAN's epoch
# also draws its sample grid (16 images in inference mode, a few ms).
#
#   bench/distributed/run.sh [bin/tfrun] [CONFIG LIMIT EPOCHS]...
#   (default: configs/imdb_tuned.yaml 6144 3 configs/gan_mnist.yaml 4096 3)
set -euo pipefail
TFRUN=${1:-bin/tfrun}
shift || true
if [ $# -eq 0 ]; then
  set -- configs/imdb_tuned.yaml 6144 3 configs/gan_mnist.yaml 4096 3
fi
if [ $(( $# % 3 )) -ne 0 ]; then
  echo "usage: $0 [bin/tfrun] [CONFIG LIMIT EPOCHS]..." >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TF_CPP_MIN_LOG_LEVEL=2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# throughput DIR LOG: training examples per second over epochs 2.. of DIR's history, and
# seconds per epoch. The examples: a classifier's metrics.json, a GAN's log line "Loaded
# <data>: N training images".
throughput() {
  python3 - "$1" "$2" <<'PY'
import json, os, re, sys
d, log = sys.argv[1], sys.argv[2]
h = json.load(open(d + '/history.json'))
secs = (h.get('metrics') or h).get('seconds')
if os.path.exists(d + '/metrics.json'):
    n = json.load(open(d + '/metrics.json'))['train_examples']
else:
    n = int(re.search(r'Loaded [^:]*: (\d+) training images', open(log).read()).group(1))
steady = secs[1:] or secs
print("%.1f %.3f" % (n * len(steady) / sum(steady), sum(steady) / len(steady)))
PY
}

bench() {
  local config=$1 limit=$2 epochs=$3 name
  name=$(basename "$config" .yaml)
  mkdir -p "$work/$name"
  # The config without validation and the callbacks that monitor it.
  python3 - "$config" "$work/$name/bench.yaml" <<'PY'
import sys, re
src = open(sys.argv[1]).read().splitlines()
out, section = [], None
for line in src:
    m = re.match(r'^([a-z_]+):', line)
    if m:
        section = m.group(1)
    if section == 'train' and (line.startswith('  validation_split:') or line.startswith('  callbacks:') or
                               (line.startswith('    - {type:') and 'monitor' in line)):
        continue
    out.append(line)
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
PY
  local bs steps
  bs=$(awk '/batch_size:/{print $2; exit}' "$work/$name/bench.yaml")
  steps=$(( (limit + bs - 1) / bs ))
  echo
  echo "config $config, -limit $limit ($steps global batches of $bs an epoch), $epochs epochs, no validation"

  "$TFRUN" -config "$work/$name/bench.yaml" -limit "$limit" -epochs "$epochs" -threads 1 -out "$work/$name/one" > "$work/$name/one.log" 2>&1
  read -r one_eps one_secs < <(throughput "$work/$name/one" "$work/$name/one.log")

  local p0 p1 i
  p0=$(free_port); p1=$(free_port)
  for i in 0 1; do
    "$TFRUN" -config "$work/$name/bench.yaml" -limit "$limit" -epochs "$epochs" -threads 1 -out "$work/$name/two" \
      -cluster "worker=127.0.0.1:$p0,127.0.0.1:$p1" -task "worker:$i" > "$work/$name/two.$i.log" 2>&1 &
  done
  wait
  read -r two_eps two_secs < <(throughput "$work/$name/two" "$work/$name/two.0.log")

  echo "| $name | threads per process | examples/s | s/epoch |"
  echo "|---|---|---|---|"
  echo "| 1 process | 1 | $one_eps | $one_secs |"
  echo "| 2 workers | 1 | $two_eps | $two_secs |"
  python3 -c "print('speed-up: %.2fx' % ($two_eps / $one_eps))"
}

while [ $# -gt 0 ]; do
  bench "$1" "$2" "$3"
  shift 3
done

#!/usr/bin/env bash
# make bench-distributed: data-parallel scaling of a classifier config on this machine.
# One process with one intra-op thread, then two worker processes (TF_CONFIG, 127.0.0.1)
# with one thread each, on the same global batch (the config's batch_size); the steady-state
# training throughput is the training examples of epochs 2.. over their seconds (epoch 1
# builds and warms up). Validation is left out of the config (and with it the callbacks that
# monitor it): an epoch's seconds then time training alone.
#
#   bench/distributed/run.sh [bin/tfrun] [configs/imdb_tuned.yaml] [limit] [epochs]
set -euo pipefail
TFRUN=${1:-bin/tfrun}
CONFIG=${2:-configs/imdb_tuned.yaml}
LIMIT=${3:-6144}
EPOCHS=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TF_CPP_MIN_LOG_LEVEL=2

# The config without validation and the callbacks that monitor it.
python3 - "$CONFIG" "$work/bench.yaml" <<'PY'
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# throughput DIR: training examples per second over epochs 2.. of DIR's history.
throughput() {
  python3 - "$1" <<'PY'
import json, sys
h = json.load(open(sys.argv[1] + '/history.json'))
secs = (h.get('metrics') or h).get('seconds')
m = json.load(open(sys.argv[1] + '/metrics.json'))
n = m['train_examples']
steady = secs[1:] or secs
print("%.1f %.3f" % (n * len(steady) / sum(steady), sum(steady) / len(steady)))
PY
}

steps=$(( (LIMIT + $(awk '/batch_size:/{print $2; exit}' "$work/bench.yaml") - 1) / $(awk '/batch_size:/{print $2; exit}' "$work/bench.yaml") ))
echo "config $CONFIG, -limit $LIMIT ($steps global batches an epoch), $EPOCHS epochs, no validation"

"$TFRUN" -config "$work/bench.yaml" -limit "$LIMIT" -epochs "$EPOCHS" -threads 1 -out "$work/one" > "$work/one.log" 2>&1
read one_eps one_secs < <(throughput "$work/one")

p0=$(free_port); p1=$(free_port)
cluster="\"cluster\": {\"worker\": [\"127.0.0.1:$p0\", \"127.0.0.1:$p1\"]}"
for i in 0 1; do
  TF_CONFIG="{$cluster, \"task\": {\"type\": \"worker\", \"index\": $i}}" \
    "$TFRUN" -config "$work/bench.yaml" -limit "$LIMIT" -epochs "$EPOCHS" -threads 1 -out "$work/two" > "$work/two.$i.log" 2>&1 &
done
wait
read two_eps two_secs < <(throughput "$work/two")

echo "| run | threads per process | examples/s | s/epoch |"
echo "|---|---|---|---|"
echo "| 1 process | 1 | $one_eps | $one_secs |"
echo "| 2 workers | 1 | $two_eps | $two_secs |"
python3 -c "print('speed-up: %.2fx' % ($two_eps / $one_eps))"

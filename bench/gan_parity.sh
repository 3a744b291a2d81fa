#!/usr/bin/env bash
# The mixed_bfloat16 quality-parity runs of issue #15 for the DCGAN on MNIST: gan_mnist
# trained EPOCHS epochs in float32 under several seeds (their spread is the run-to-run
# spread) and under mixed_bfloat16 (configs/gan_mnist_mixed_bfloat16.yaml, the same model),
# every run scored by `tfrun evaluate-gan` with the MNIST classifier (trained first when
# runs/mnist_classifier has no checkpoint). Prints one line per run: precision, seed,
# Fréchet distance, label entropy, seconds per epoch. Results: docs/results/bf16_parity.md.
#
#   bench/gan_parity.sh            # EPOCHS=3, float32 seeds 42 43 44, mixed seeds 42 43
set -euo pipefail
EPOCHS=${EPOCHS:-3}
OUT=${OUT:-runs/gan_parity}
F32_SEEDS=${F32_SEEDS:-42 43 44}
BF16_SEEDS=${BF16_SEEDS:-42 43}
TFRUN=${TFRUN:-bin/tfrun}

"$TFRUN" -config configs/mnist_classifier.yaml -resume-or-start >/dev/null

run() { # config precision seed
	local dir="$OUT/$2_seed$3"
	rm -rf "$dir"
	"$TFRUN" -config "$1" -epochs "$EPOCHS" -seed "$3" -out "$dir" >"$dir.log" 2>&1
	"$TFRUN" evaluate-gan -config "$1" -run "$dir" >>"$dir.log" 2>&1
	python3 - "$dir" "$2" "$3" <<'PY'
import csv, json, sys
d, prec, seed = sys.argv[1:]
m = json.load(open(f"{d}/gan_metrics.json"))
secs = [float(r["seconds"]) for r in csv.DictReader(open(f"{d}/history.csv"))]
print(f"{prec}\t{seed}\tFID {m['frechet_distance']:.2f}\tentropy {m['label_entropy']:.3f}\t"
      f"s/epoch {sum(secs)/len(secs):.0f}", flush=True)
PY
}
mkdir -p "$OUT"
for s in $F32_SEEDS; do run configs/gan_mnist.yaml float32 "$s"; done
for s in $BF16_SEEDS; do run configs/gan_mnist_mixed_bfloat16.yaml mixed_bfloat16 "$s"; done

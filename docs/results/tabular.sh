#!/usr/bin/env bash
# tabular.sh: trains configs/diabetes_regression.yaml, breast_cancer.yaml and wine.yaml with
# -seed 1..5 (the held-out 20% is fixed by each config's data.seed: 42, so only the initial
# weights and the per-epoch order change) and prints the Markdown tables of
# docs/results/tabular.md: each seed's held-out numbers from metrics.json, their mean and
# sample standard deviation, and the wall time per run.
#
# Usage, from the repository root after `make build`:
#   docs/results/tabular.sh [OUTDIR]     # run directories under OUTDIR (/tmp/tab)
set -euo pipefail
out=${1:-/tmp/tab}
seeds=(1 2 3 4 5)
mkdir -p "$out"
eval "$(make -s env)"

for cfg in diabetes_regression breast_cancer wine; do
	for s in "${seeds[@]}"; do
		dir="$out/${cfg}_$s"
		rm -rf "$dir"
		start=$(date +%s.%N)
		bin/tfrun -config "configs/$cfg.yaml" -seed "$s" -out "$dir" -verbose 2 >"$dir.log" 2>&1
		end=$(date +%s.%N)
		echo "$end - $start" | bc >"$dir.wall"
	done
done

python3 - "$out" "${seeds[@]}" <<'PY'
import json, statistics, sys
out, seeds = sys.argv[1], [int(s) for s in sys.argv[2:]]
tables = {
    "diabetes_regression": [("MAE", lambda m: m["test_metrics"]["mae"]),
                            ("R²", lambda m: m["test_metrics"]["r2_score"]),
                            ("loss (mse)", lambda m: m["test_loss"])],
    "breast_cancer": [("accuracy", lambda m: m["test_accuracy"]),
                      ("AUC", lambda m: m["test_metrics"]["auc"]),
                      ("loss", lambda m: m["test_loss"])],
    "wine": [("accuracy", lambda m: m["test_accuracy"]),
             ("loss", lambda m: m["test_loss"])],
}
for cfg, cols in tables.items():
    rows = []
    for s in seeds:
        m = json.load(open(f"{out}/{cfg}_{s}/metrics.json"))
        wall = float(open(f"{out}/{cfg}_{s}.wall").read())
        rows.append(([f(m) for _, f in cols], wall, m))
    m0 = rows[0][2]
    print(f"### {cfg} ({m0['epochs_run']} epochs, {m0['train_examples']} training rows, "
          f"{m0['test_examples']} held out, test_data: {m0['test_data']})\n")
    print("| -seed | " + " | ".join(c for c, _ in cols) + " | wall time (s) |")
    print("| ---: | " + " | ".join("---:" for _ in cols) + " | ---: |")
    for s, (vals, wall, _) in zip(seeds, rows):
        print(f"| {s} | " + " | ".join(f"{v:.4f}" for v in vals) + f" | {wall:.1f} |")
    cells = []
    for i in range(len(cols)):
        v = [r[0][i] for r in rows]
        cells.append(f"{statistics.mean(v):.4f} ± {statistics.stdev(v):.4f}")
    w = [r[1] for r in rows]
    print("| mean ± sd | " + " | ".join(cells) + f" | {statistics.mean(w):.1f} ± {statistics.stdev(w):.1f} |\n")
PY

#!/usr/bin/env bash
# class_weight.sh: the experiment of docs/results/class_weight.md. Writes the imbalanced
# slice of breast_cancer.csv (class_weight/make_slice.py), trains the logistic regression of
# class_weight/unweighted.yaml and class_weight/weighted.yaml with tfrun for each seed,
# predicts the test rows with `tfrun predict`, trains the same model with Keras
# (class_weight/keras_class_weight.py), and prints the Markdown table of per-class recall.
#
# Usage, from the repository root after `make build` (and `make bench-env` for Keras):
#   docs/results/class_weight.sh [SEED ...]      # default seeds 1 2 3
set -euo pipefail
seeds=("${@:-1 2 3}")
seeds=(${seeds[*]})
data=runs/cw_data
python3 docs/results/class_weight/make_slice.py ../shared/data "$data"
results=runs/cw_results.jsonl
: >"$results"
for s in "${seeds[@]}"; do
	for v in unweighted weighted; do
		dir=runs/cw_${v}_$s
		rm -rf "$dir"
		bin/tfrun -config "docs/results/class_weight/$v.yaml" -seed "$s" -out "$dir" -verbose 0 >"$dir.log" 2>&1
		bin/tfrun predict -config "docs/results/class_weight/$v.yaml" -run "$dir" -file "$data/test_features.txt" >"$dir.predictions"
		python3 - "$dir.predictions" "$data/test_labels.txt" "$v" "$s" >>"$results" <<'PY'
import json, sys
preds = [json.loads(l)["class_id"] for l in open(sys.argv[1])]
labels = [int(l) for l in open(sys.argv[2])]
recall = {c: sum(p == c for p, y in zip(preds, labels) if y == c) / labels.count(c) for c in (0, 1)}
print(json.dumps({"tool": "tfrun", "variant": sys.argv[3], "seed": int(sys.argv[4]),
                  "recall_malignant": recall[0], "recall_benign": recall[1],
                  "accuracy": sum(p == y for p, y in zip(preds, labels)) / len(labels)}))
PY
	done
done
bench/.venv/bin/python docs/results/class_weight/keras_class_weight.py "$data" 30 0.01 "${seeds[@]}" 2>/dev/null | grep '^{' >>"$results"
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| tool | class_weight | seed | recall malignant (0) | recall benign (1) | accuracy |")
print("| --- | --- | --- | --- | --- | --- |")
for tool in ("tfrun", "keras"):
    for variant in ("unweighted", "weighted"):
        sel = [r for r in rows if r["tool"] == tool and r["variant"] == variant]
        cw = "none" if variant == "unweighted" else "{0: 9.4, 1: 0.528}"
        for r in sel:
            print(f"| {tool} | {cw} | {r['seed']} | {r['recall_malignant']:.3f} | {r['recall_benign']:.3f} | {r['accuracy']:.3f} |")
        m = lambda k: statistics.mean(r[k] for r in sel)
        print(f"| {tool} | {cw} | mean | **{m('recall_malignant'):.3f}** | **{m('recall_benign'):.3f}** | {m('accuracy'):.3f} |")
PY

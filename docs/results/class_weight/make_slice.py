"""Writes the imbalanced slice of breast_cancer.csv that docs/results/class_weight.md
trains on, deterministically (no randomness):

- the slice is every benign row (target 1, 357 rows) and only the first N malignant rows
  (target 0) in file order (N = 20 by default);
- rows of the slice, in file order, go to test.csv when their position is a multiple of 4
  (a quarter), the others to train.csv: with N = 20, 15 malignant and 267 benign training
  rows, 18 to 1;
- test.csv also gets every malignant row left out of the slice (192), so that the
  malignant recall is measured on many rows, not 5;
- test_features.txt holds the test rows' features (one comma-separated line each, as
  `tfrun predict -file` reads them) and test_labels.txt their targets.

Usage: python3 make_slice.py SHARED_DATA_DIR OUT_DIR [N]
"""

import csv
import os
import sys


def main(data_dir, out_dir, n_malignant=20):
    with open(os.path.join(data_dir, "tabular", "breast_cancer.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    target = header.index("target")
    kept, rest, malignant = [], [], 0
    for r in body:
        if r[target] == "0":
            if malignant == n_malignant:
                rest.append(r)
                continue
            malignant += 1
        kept.append(r)
    train = [r for i, r in enumerate(kept) if i % 4 != 0]
    test = [r for i, r in enumerate(kept) if i % 4 == 0] + rest
    os.makedirs(out_dir, exist_ok=True)
    for name, part in (("train.csv", train), ("test.csv", test)):
        with open(os.path.join(out_dir, name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(part)
    with open(os.path.join(out_dir, "test_features.txt"), "w") as f:
        for r in test:
            f.write(",".join(v for i, v in enumerate(r) if i != target) + "\n")
    with open(os.path.join(out_dir, "test_labels.txt"), "w") as f:
        for r in test:
            f.write(r[target] + "\n")
    count = lambda part, c: sum(r[target] == c for r in part)
    print(f"slice: {len(kept)} rows; train {len(train)} ({count(train, '0')} malignant, {count(train, '1')} benign), "
          f"test {len(test)} ({count(test, '0')} malignant, {count(test, '1')} benign)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:]))

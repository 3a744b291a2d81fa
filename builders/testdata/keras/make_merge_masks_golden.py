"""Writes ../keras_merge_masks.json: the mask Keras 3.15.1's merge layers (Add, Subtract,
Multiply, Average, Maximum, Minimum: Merge.compute_mask) give their output, for two
inputs with different masks, with one input masked and the other not, and with none.
Keras 3's rule: no mask when any input has none (a warning-free drop), else the OR of
the masks. builders' TestMergeMasksKeras checks tfrun's against it.

Run from the repository root with the project's venv (keras 3.15.1, TensorFlow 2.18):

    bench/.venv/bin/python builders/testdata/keras/make_merge_masks_golden.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers as L  # noqa: E402
from keras.src import backend  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# Token ids [batch 2, steps 4], 0 padding: a is pre-padded, b has other padded steps.
A = np.array([[0, 0, 5, 6], [0, 7, 8, 9]], dtype="int32")
B = np.array([[3, 4, 5, 0], [0, 0, 2, 2]], dtype="int32")


def embedded(ids, mask):
    return L.Embedding(10, 3, mask_zero=mask)(ids)


def main():
    cases = []
    for cls in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        for name, ma, mb in (("both", True, True), ("first_only", True, False),
                             ("second_only", False, True), ("none", False, False)):
            a, b = embedded(A, ma), embedded(B, mb)
            out = getattr(L, cls)()([a, b])
            m = backend.get_keras_mask(out)
            cases.append({"class": cls, "case": name, "first_masked": ma, "second_masked": mb,
                          "mask": None if m is None else np.asarray(m).astype(int).ravel().tolist()})
    golden = {"keras": keras.__version__, "tensorflow": tf.__version__,
              "first_ids": A.ravel().tolist(), "second_ids": B.ravel().tolist(), "shape": list(A.shape),
              "cases": cases}
    with open(os.path.join(HERE, "..", "keras_merge_masks.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    for c in cases:
        print(c["class"], c["case"], c["mask"])


if __name__ == "__main__":
    main()

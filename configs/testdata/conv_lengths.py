"""Prints the output lengths TestConvOutputLength expects, from Keras 3's own layers.

Run: bench/.venv/bin/python configs/testdata/conv_lengths.py
Each row: steps, kernel, stride, dilation, padding, Conv1D's output steps (MaxPooling1D's
for dilation 1, which agree), then Conv1DTranspose's (dilation 1, padding valid/same).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402

CASES = [
    (28, 5, 1, 1, "valid"), (28, 5, 2, 1, "valid"), (28, 5, 2, 1, "same"),
    (10, 3, 1, 2, "valid"), (10, 3, 1, 2, "same"), (10, 3, 1, 2, "causal"),
    (7, 3, 3, 1, "valid"), (7, 3, 3, 1, "same"), (7, 3, 1, 3, "valid"),
    (1, 1, 4, 1, "same"), (9, 4, 4, 1, "valid"),
]
for n, k, s, d, p in CASES:
    conv = keras.layers.Conv1D(1, k, strides=s, dilation_rate=d, padding=p)
    steps = conv.compute_output_shape((None, n, 1))[1]
    if d == 1 and p != "causal":
        pool = keras.layers.MaxPooling1D(k, strides=s, padding=p).compute_output_shape((None, n, 1))[1]
        assert pool == steps, (n, k, s, p, pool, steps)
    deconv = None
    if d == 1 and p != "causal":
        deconv = keras.layers.Conv1DTranspose(1, k, strides=s, padding=p).compute_output_shape((None, n, 1))[1]
    print(f"{{{n}, {k}, {s}, {d}, \"{p}\", {steps}, {deconv if deconv is not None else -1}}},")

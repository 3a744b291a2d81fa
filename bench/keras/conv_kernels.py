"""Where the DCGANs' step time went: TensorFlow's convolution-gradient kernels against the
Conv2D forms tfrun uses instead (graphs/conv.go).

Not part of `make bench`. For each transposed convolution and strided convolution of
dcgan_mnist and dcgan_cifar (batch 256, 5x5 kernels, SAME), and a few classifier shapes,
this times in one tf.function each, on the same TensorFlow build:

- Conv2DBackpropInput (Conv2DTranspose's forward op, Conv2D's input gradient) against the
  sub-pixel form: one stride-1 Conv2D whose output channels hold the stride**2 phases'
  sub-kernels, then DepthToSpace;
- Conv2DBackpropFilter against one Conv2D that contracts the batch (x transposed to
  [channels, height, width, batch], out_backprop to [height, width, batch, filters] as a
  filter dilated by the stride);

in float32 and bfloat16 (bfloat16 only for the DCGAN shapes: its backprop kernels take
seconds a run). Each line: the shape, both times (median), GFLOP/s of the useful
products (every kernel tap, SAME padding's included, as graphs.CountFLOPs counted them
until session 19; it now leaves out the taps on the padding), the speed-up, and the
largest difference relative to the largest value.

    bench/.venv/bin/python bench/keras/conv_kernels.py
"""

import math
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def same_pad(n, out, k, s):
    """The forward conv's SAME padding before the input along one axis."""
    return max((out - 1) * s + k - n, 0) // 2


def sub_pixel(sizes, w, dy, s):
    """Conv2DBackpropInput(sizes, w, dy), SAME, as one stride-1 Conv2D and DepthToSpace."""
    _, h, wd, cin = sizes
    kh, kw, _, cout = w.shape
    n_h, n_w = dy.shape[1], dy.shape[2]

    def plan(size, n, k):
        pb = same_pad(size, n, k, s)
        lo = min(math.ceil((p + pb - k + 1) / s) for p in range(s))
        hi = max((p + pb) // s for p in range(s))
        q = math.ceil(size / s)
        taps = [[p + pb - s * (lo + u) for p in range(s)] for u in range(hi - lo + 1)]
        taps = [[j if 0 <= j < k else -1 for j in row] for row in taps]
        return taps, -lo, q - 1 + hi - (n - 1), q

    rows, rb, ra, qh = plan(h, n_h, kh)
    cols, cb, ca, qw = plan(wd, n_w, kw)
    idx = np.full((len(rows), len(cols), s, s), kh * kw, np.int32)
    for u, row in enumerate(rows):
        for v, col in enumerate(cols):
            for p in range(s):
                for q in range(s):
                    if row[p] >= 0 and col[q] >= 0:
                        idx[u, v, p, q] = row[p] * kw + col[q]
    flat = tf.pad(tf.reshape(w, [kh * kw, cin, cout]), [[0, 1], [0, 0], [0, 0]])
    kernel = tf.transpose(tf.gather(flat, idx), [0, 1, 5, 2, 3, 4])
    kernel = tf.reshape(kernel, [len(rows), len(cols), cout, s * s * cin])
    y = tf.nn.conv2d(dy, kernel, 1, [[0, 0], [rb, ra], [cb, ca], [0, 0]])
    if s > 1:
        y = tf.nn.depth_to_space(y, s)
    return y[:, :h, :wd, :]


def batch_contracted(x, fshape, dy, s):
    """Conv2DBackpropFilter(x, fshape, dy), SAME, as one Conv2D over the batch."""
    _, h, wd, _ = x.shape
    kh, kw = fshape[0], fshape[1]
    n_h, n_w = dy.shape[1], dy.shape[2]
    need_h, need_w = kh + (n_h - 1) * s, kw + (n_w - 1) * s
    ph, pw = same_pad(h, n_h, kh, s), same_pad(wd, n_w, kw, s)
    xp = tf.pad(x, [[0, 0], [ph, need_h - h - ph], [pw, need_w - wd - pw], [0, 0]])
    r = tf.nn.conv2d(tf.transpose(xp, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), 1, "VALID", dilations=s)
    return tf.transpose(r, [1, 2, 0, 3])


def median_seconds(f, args, repeats):
    f(*args).numpy()  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f(*args).numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def compare(label, reference, fast, args, flops, repeats):
    want, got = reference(*args), fast(*args)
    diff = float(tf.reduce_max(tf.abs(tf.cast(want, tf.float32) - tf.cast(got, tf.float32))) /
                 tf.reduce_max(tf.abs(tf.cast(want, tf.float32))))
    t_ref = median_seconds(reference, args, repeats)
    t_fast = median_seconds(fast, args, repeats)
    print(f"{label}: kernel {t_ref * 1e3:.1f} ms ({flops / t_ref / 1e9:.0f} GFLOP/s), "
          f"Conv2D form {t_fast * 1e3:.1f} ms ({flops / t_fast / 1e9:.0f}), x{t_ref / t_fast:.2f}, "
          f"difference {diff:.1e}", flush=True)


# (name, forward conv input [N, H, W, Cin], filter [kh, kw, Cin, Cout], stride, bfloat16 too)
SHAPES = [
    ("dcgan_mnist G conv_transpose 1", (256, 7, 7, 128), (5, 5, 128, 256), 1, True),
    ("dcgan_mnist G conv_transpose 2 / D conv 2", (256, 14, 14, 64), (5, 5, 64, 128), 2, True),
    ("dcgan_mnist G conv_transpose 3 / D conv 1", (256, 28, 28, 1), (5, 5, 1, 64), 2, True),
    ("dcgan_cifar G conv_transpose 1", (256, 8, 8, 128), (5, 5, 128, 256), 1, True),
    ("dcgan_cifar G conv_transpose 2 / D conv 2", (256, 16, 16, 64), (5, 5, 64, 128), 2, True),
    ("dcgan_cifar G conv_transpose 3 / D conv 1", (256, 32, 32, 3), (5, 5, 3, 64), 2, True),
    ("16 channels", (256, 14, 14, 16), (5, 5, 16, 128), 2, False),
    ("32 channels", (256, 14, 14, 32), (5, 5, 32, 64), 2, False),
    ("cifar_classifier-like 3x3", (64, 16, 16, 64), (3, 3, 64, 64), 1, False),
    ("imdb_cnn_lstm Conv1D", (30, 1, 100, 128), (1, 5, 128, 64), 1, False),
]


def main():
    rng = np.random.default_rng(0)
    for name, xs, fs, s, bf16 in SHAPES:
        for dtype in [tf.float32] + ([tf.bfloat16] if bf16 else []):
            out = (xs[0], math.ceil(xs[1] / s), math.ceil(xs[2] / s), fs[3])
            x = tf.cast(rng.standard_normal(xs).astype(np.float32), dtype)
            w = tf.cast(rng.standard_normal(fs).astype(np.float32) * 0.05, dtype)
            dy = tf.cast(rng.standard_normal(out).astype(np.float32), dtype)
            flops = 2 * out[0] * out[1] * out[2] * np.prod(fs)
            repeats = 3 if dtype == tf.bfloat16 else 10
            label = f"{name}, {dtype.name}"

            bpi = tf.function(lambda w, dy: tf.raw_ops.Conv2DBackpropInput(
                input_sizes=xs, filter=w, out_backprop=dy, strides=[1, s, s, 1], padding="SAME"))
            compare(label + ", input gradient", bpi, tf.function(lambda w, dy: sub_pixel(xs, w, dy, s)),
                    (w, dy), flops, repeats)
            bpf = tf.function(lambda x, dy: tf.raw_ops.Conv2DBackpropFilter(
                input=x, filter_sizes=fs, out_backprop=dy, strides=[1, s, s, 1], padding="SAME"))
            compare(label + ", filter gradient", bpf, tf.function(lambda x, dy: batch_contracted(x, fs, dy, s)),
                    (x, dy), flops, repeats)


if __name__ == "__main__":
    main()

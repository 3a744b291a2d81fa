"""How TensorFlow's CPU kernels sum a bias gradient in bfloat16 (tfrun issue #26, session 21).

For each shape (a discriminator conv's output gradient, a Dense layer's at batch 256) it
sums normal values of mean 0.3, rounded to bfloat16, over every axis but the last, four
ways: BiasAddGrad (what tf.nn.bias_add's gradient is), Sum (what the gradient of an Add
with a broadcast bias is, as Keras 3's layers add biases), a MatMul by ones, and a Sum in
float32 cast back. It prints each one's relative error against the exact (float64) sum,
how many channels differ from the exact sum rounded to bfloat16, and its time (2 intra-op
threads, the shortest of 20 runs).

    bench/.venv/bin/python bench/keras/bias_grad_bf16.py
"""

import time

import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(1)


def timed(f, x):
    for _ in range(3):
        f(x).numpy()
    best = float("inf")
    for _ in range(20):
        start = time.perf_counter()
        f(x).numpy()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def forms(axes):
    def matmul(d):
        rows = tf.reshape(d, [-1, d.shape[-1]])
        return tf.reshape(tf.matmul(tf.ones([1, tf.shape(rows)[0]], d.dtype), rows), [-1])

    return {
        "BiasAddGrad": lambda d: tf.raw_ops.BiasAddGrad(out_backprop=d),
        "Sum": lambda d: tf.reduce_sum(d, axes),
        "MatMul by ones": matmul,
        "float32 Sum": lambda d: tf.cast(tf.reduce_sum(tf.cast(d, tf.float32), axes), d.dtype),
    }


def main():
    print("TensorFlow", tf.__version__)
    print("| shape | form | max relative error | median | channels off the rounded exact sum | ms |")
    print("|---|---|--:|--:|--:|--:|")
    for shape in ([256, 14, 14, 64], [256, 7, 7, 128], [256, 16, 16, 64], [256, 8, 8, 128], [256, 64]):
        axes = list(range(len(shape) - 1))
        dy = tf.cast(tf.random.stateless_normal(shape, [1, 2]) + 0.3, tf.bfloat16)
        exact = tf.reduce_sum(tf.cast(dy, tf.float64), axes)
        rounded = tf.cast(tf.cast(exact, tf.float32), tf.bfloat16)
        for name, f in forms(axes).items():
            f = tf.function(f)
            got = f(dy)
            rel = np.abs(tf.cast(got, tf.float64).numpy() - exact.numpy()) / np.abs(exact.numpy())
            off = int(tf.reduce_sum(tf.cast(tf.not_equal(got, rounded), tf.int32)))
            print(f"| {shape} | {name} | {rel.max():.2e} | {np.median(rel):.2e} | {off} of {shape[-1]} | {timed(f, dy):.3f} |")
    ones = tf.ones([256, 14, 14, 64], tf.bfloat16)
    print("BiasAddGrad of bfloat16 ones [256,14,14,64]:", tf.raw_ops.BiasAddGrad(out_backprop=ones).numpy()[0],
          "(exact 50176); Sum:", tf.reduce_sum(ones, [0, 1, 2]).numpy()[0])


if __name__ == "__main__":
    main()

"""Where imdb_tuned's step time goes: TensorFlow's fused LSTM kernels against Keras's LSTM.

Not part of `make bench`. tfrun's LSTM runs the fused BlockLSTMV2 kernel (backward:
BlockLSTMGradV2); Keras 3 on a CPU runs its LSTM cell in a tf.while_loop. This times both,
forward and forward+backward, in one tf.function each, on the same TensorFlow build, at
imdb_tuned's shape (batch 512, 200 steps, 64 features, 64 units) and imdb_lstm's (32, 80,
32, 32):

    bench/.venv/bin/python bench/keras/lstm_kernels.py
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def fused_lstm(x, w, b, units):
    """BlockLSTMV2 over x [batch, time, features]: the last step's output."""
    batch, steps = x.shape[0], x.shape[1]
    zeros = tf.zeros([batch, units])
    peephole = tf.zeros([units])
    out = tf.raw_ops.BlockLSTMV2(seq_len_max=tf.constant(steps, tf.int64), x=tf.transpose(x, [1, 0, 2]),
                                 cs_prev=zeros, h_prev=zeros, w=w, wci=peephole, wcf=peephole, wco=peephole,
                                 b=b, cell_clip=0.0, use_peephole=False)
    return out[6][-1]


def bench(batch, steps, features, units, repeats):
    keras.utils.set_random_seed(42)
    x = tf.random.normal([batch, steps, features])
    lstm = keras.layers.LSTM(units)
    lstm.build((batch, steps, features))
    w = tf.Variable(tf.random.normal([features + units, 4 * units]) * 0.1)
    b = tf.Variable(tf.zeros([4 * units]))

    @tf.function
    def keras_forward(x):
        return tf.reduce_sum(lstm(x))

    @tf.function
    def keras_both(x):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(lstm(x))
        return tape.gradient(y, lstm.trainable_variables)

    @tf.function
    def fused_forward(x):
        return tf.reduce_sum(fused_lstm(x, w, b, units))

    @tf.function
    def fused_both(x):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(fused_lstm(x, w, b, units))
        return tape.gradient(y, [w, b])

    for name, f in [("Keras while_loop forward", keras_forward), ("fused BlockLSTMV2 forward", fused_forward),
                    ("Keras while_loop forward+backward", keras_both),
                    ("fused BlockLSTMV2 forward+backward", fused_both)]:
        tf.nest.map_structure(lambda t: t.numpy(), f(x))  # trace and warm up
        t0 = time.perf_counter()
        for _ in range(repeats):
            tf.nest.map_structure(lambda t: t.numpy(), f(x))
        ms = (time.perf_counter() - t0) / repeats * 1000
        print(f"batch {batch:3d}, {steps} steps, {features} features, {units} units: {name:35s} {ms:7.1f} ms")


if __name__ == "__main__":
    bench(512, 200, 64, 64, repeats=5)
    bench(32, 80, 32, 32, repeats=50)

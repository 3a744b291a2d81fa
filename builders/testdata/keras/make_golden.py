"""Records Keras 3 forward passes of the layers in builders/, for keras_golden_test.go.

Each case builds one Keras layer with its default name, gives it fixed weights drawn from
a seeded generator, runs it on a fixed input in inference mode and records the input,
the weights (in layer.weights order, with Keras's paths) and the output, all as float32
values, into builders/testdata/keras_golden.json.

Run from the repository root with the bench environment (make bench-env):

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python builders/testdata/keras/make_golden.py
"""

import json
import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

L = keras.layers


def gelu_approximate(x):
    """keras_hub's gelu_approximate: Keras's gelu with approximate=True (tfrun's name)."""
    return keras.activations.gelu(x, approximate=True)


# name: (layer factory, input shape with batch, input scale, weight scale)
SEQ = (2, 5, 3)
IMG = (2, 5, 6, 3)
CASES = [
    ("gru", lambda: L.GRU(4), SEQ, 1.0, 0.5),
    ("gru_sequences", lambda: L.GRU(4, return_sequences=True), SEQ, 1.0, 0.5),
    ("gru_reset_before", lambda: L.GRU(4, reset_after=False), SEQ, 1.0, 0.5),
    ("gru_go_backwards_sequences", lambda: L.GRU(4, go_backwards=True, return_sequences=True), SEQ, 1.0, 0.5),
    ("gru_no_bias_relu", lambda: L.GRU(4, use_bias=False, activation="relu"), SEQ, 1.0, 0.5),
    ("simple_rnn", lambda: L.SimpleRNN(4), SEQ, 1.0, 0.5),
    ("simple_rnn_sequences_backwards", lambda: L.SimpleRNN(4, return_sequences=True, go_backwards=True), SEQ, 1.0, 0.5),
    ("bidirectional_lstm", lambda: L.Bidirectional(L.LSTM(4)), SEQ, 1.0, 0.5),
    ("bidirectional_lstm_sequences_ave", lambda: L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="ave"), SEQ, 1.0, 0.5),
    ("bidirectional_gru_sequences_sum", lambda: L.Bidirectional(L.GRU(4, return_sequences=True), merge_mode="sum"), SEQ, 1.0, 0.5),
    ("bidirectional_gru_concat_sequences", lambda: L.Bidirectional(L.GRU(2, return_sequences=True)), SEQ, 1.0, 0.5),
    ("bidirectional_simple_rnn_mul", lambda: L.Bidirectional(L.SimpleRNN(4), merge_mode="mul"), SEQ, 1.0, 0.5),
    ("global_max_pooling1d", lambda: L.GlobalMaxPooling1D(), SEQ, 1.0, 0),
    ("global_max_pooling1d_keepdims", lambda: L.GlobalMaxPooling1D(keepdims=True), SEQ, 1.0, 0),
    ("global_average_pooling1d", lambda: L.GlobalAveragePooling1D(), SEQ, 1.0, 0),
    ("global_average_pooling2d", lambda: L.GlobalAveragePooling2D(), IMG, 1.0, 0),
    ("global_average_pooling2d_keepdims", lambda: L.GlobalAveragePooling2D(keepdims=True), IMG, 1.0, 0),
    ("max_pooling2d", lambda: L.MaxPooling2D(), IMG, 1.0, 0),
    ("max_pooling2d_same_3x3_s2", lambda: L.MaxPooling2D((3, 3), strides=(2, 2), padding="same"), IMG, 1.0, 0),
    ("average_pooling2d", lambda: L.AveragePooling2D((2, 2)), IMG, 1.0, 0),
    ("average_pooling2d_same_3x2_s2x1", lambda: L.AveragePooling2D((3, 2), strides=(2, 1), padding="same"), IMG, 1.0, 0),
    ("up_sampling2d", lambda: L.UpSampling2D(), IMG, 1.0, 0),
    ("up_sampling2d_2x3", lambda: L.UpSampling2D((2, 3)), IMG, 1.0, 0),
    ("layer_normalization", lambda: L.LayerNormalization(), SEQ, 2.0, 1.0),
    ("layer_normalization_2d_no_center", lambda: L.LayerNormalization(center=False), (3, 6), 2.0, 1.0),
    ("layer_normalization_no_scale", lambda: L.LayerNormalization(scale=False), IMG, 2.0, 1.0),
    ("spatial_dropout1d_inference", lambda: L.SpatialDropout1D(0.5), SEQ, 1.0, 0),
    # Added with the layer registry (appended, so the cases above keep their seeds). A case
    # named after the layer's default name is made with only its required arguments: its
    # config pins Keras's defaults for configs' layer specs too.
    ("lstm", lambda: L.LSTM(4), SEQ, 1.0, 0.5),
    ("lstm_no_bias_sequences", lambda: L.LSTM(4, use_bias=False, return_sequences=True), SEQ, 1.0, 0.5),
    ("dense", lambda: L.Dense(3), SEQ, 1.0, 0.5),
    ("conv1d", lambda: L.Conv1D(2, 3), SEQ, 1.0, 0.5),
    ("max_pooling1d", lambda: L.MaxPooling1D(), SEQ, 1.0, 0),
    ("conv2d", lambda: L.Conv2D(2, 3), IMG, 1.0, 0.5),
    ("conv2d_transpose_s2_same", lambda: L.Conv2DTranspose(2, 3, strides=2, padding="same"), IMG, 1.0, 0.5),
    ("leaky_re_lu", lambda: L.LeakyReLU(), SEQ, 1.0, 0),
    # Activations by name (an Activation layer), over a range that reaches their bends:
    # hard_sigmoid's ±3, relu6's 6 (exponential on a smaller one: the tolerance is absolute).
    *[(f"activation_{a}", (lambda a=a: L.Activation(a)), SEQ, 3.5, 0)
      for a in ["elu", "selu", "softplus", "softsign", "hard_sigmoid", "log_softmax", "mish", "gelu", "silu", "swish"]],
    ("activation_relu6", lambda: L.Activation("relu6"), SEQ, 8.0, 0),
    ("activation_exponential", lambda: L.Activation("exponential"), SEQ, 2.0, 0),
    ("activation_gelu_approximate", lambda: L.Activation(gelu_approximate), SEQ, 3.5, 0),
    # The activation layers.
    ("re_lu", lambda: L.ReLU(), SEQ, 3.0, 0),
    ("re_lu_max_6", lambda: L.ReLU(max_value=6), SEQ, 8.0, 0),
    ("re_lu_slope", lambda: L.ReLU(negative_slope=0.1), SEQ, 3.0, 0),
    ("re_lu_threshold", lambda: L.ReLU(threshold=1.0), SEQ, 3.0, 0),
    ("re_lu_max_2_slope_threshold", lambda: L.ReLU(max_value=2.0, negative_slope=0.3, threshold=0.5), SEQ, 3.0, 0),
    ("p_re_lu", lambda: L.PReLU(), IMG, 1.0, 0.5),
    ("p_re_lu_shared_1_2", lambda: L.PReLU(shared_axes=[1, 2]), IMG, 1.0, 0.5),
    ("elu", lambda: L.ELU(), SEQ, 3.0, 0),
    ("elu_alpha_half", lambda: L.ELU(alpha=0.5), SEQ, 3.0, 0),
    ("softmax", lambda: L.Softmax(), SEQ, 2.0, 0),
    ("softmax_axis_1", lambda: L.Softmax(axis=1), SEQ, 2.0, 0),
    # Convolutions and image shape layers.
    ("depthwise_conv2d", lambda: L.DepthwiseConv2D(3), IMG, 1.0, 0.5),
    ("depthwise_conv2d_m2_same_s2", lambda: L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2), IMG, 1.0, 0.5),
    ("depthwise_conv2d_dilated_relu", lambda: L.DepthwiseConv2D((2, 3), dilation_rate=2, activation="relu", use_bias=False), IMG, 1.0, 0.5),
    ("depthwise_conv2d_dilated_strided_same", lambda: L.DepthwiseConv2D(3, strides=2, dilation_rate=2, padding="same"), IMG, 1.0, 0.5),
    ("separable_conv2d", lambda: L.SeparableConv2D(2, 3), IMG, 1.0, 0.5),
    ("separable_conv2d_m2_same_s2", lambda: L.SeparableConv2D(4, 3, strides=2, padding="same", depth_multiplier=2), IMG, 1.0, 0.5),
    ("separable_conv2d_dilated_tanh", lambda: L.SeparableConv2D(2, 2, dilation_rate=2, use_bias=False, activation="tanh"), IMG, 1.0, 0.5),
    ("conv2d_dilated", lambda: L.Conv2D(2, 3, dilation_rate=2), IMG, 1.0, 0.5),
    ("conv2d_dilated_2x1_same", lambda: L.Conv2D(2, 3, dilation_rate=(2, 1), padding="same"), IMG, 1.0, 0.5),
    ("conv1d_dilated_causal", lambda: L.Conv1D(2, 2, dilation_rate=2, padding="causal"), SEQ, 1.0, 0.5),
    ("zero_padding2d", lambda: L.ZeroPadding2D(), IMG, 1.0, 0),
    ("zero_padding2d_2x1", lambda: L.ZeroPadding2D((2, 1)), IMG, 1.0, 0),
    ("cropping2d", lambda: L.Cropping2D(), IMG, 1.0, 0),
    ("cropping2d_1x2", lambda: L.Cropping2D((1, 2)), IMG, 1.0, 0),
    ("global_max_pooling2d", lambda: L.GlobalMaxPooling2D(), IMG, 1.0, 0),
    ("global_max_pooling2d_keepdims", lambda: L.GlobalMaxPooling2D(keepdims=True), IMG, 1.0, 0),
    ("conv1d_transpose", lambda: L.Conv1DTranspose(2, 3), SEQ, 1.0, 0.5),
    ("conv1d_transpose_s2_same", lambda: L.Conv1DTranspose(3, 4, strides=2, padding="same"), SEQ, 1.0, 0.5),
    ("conv1d_transpose_s3_valid", lambda: L.Conv1DTranspose(2, 2, strides=3), SEQ, 1.0, 0.5),
    # Shape tools (GaussianNoise and GaussianDropout are the identity in inference).
    ("time_distributed_dense", lambda: L.TimeDistributed(L.Dense(3)), SEQ, 1.0, 0.5),
    ("time_distributed_conv2d_relu", lambda: L.TimeDistributed(L.Conv2D(2, 3, activation="relu")), (2, 3, 5, 6, 3), 1.0, 0.5),
    ("time_distributed_flatten", lambda: L.TimeDistributed(L.Flatten()), (2, 3, 4, 2), 1.0, 0),
    ("repeat_vector", lambda: L.RepeatVector(3), (2, 4), 1.0, 0),
    ("permute_2_1", lambda: L.Permute((2, 1)), SEQ, 1.0, 0),
    ("permute_3_1_2", lambda: L.Permute((3, 1, 2)), IMG, 1.0, 0),
    ("gaussian_noise", lambda: L.GaussianNoise(0.5), SEQ, 1.0, 0),
    ("gaussian_dropout", lambda: L.GaussianDropout(0.3), SEQ, 1.0, 0),
    ("identity", lambda: L.Identity(), SEQ, 1.0, 0),
    # Cases added later go last: each case draws from one seeded generator in turn, so a
    # case inserted earlier would change every later case's recorded values.
    # ZeroPadding2D with different padding before and after (MobileNetV2, EfficientNet).
    ("zero_padding2d_0101", lambda: L.ZeroPadding2D(((0, 1), (0, 1))), IMG, 1.0, 0),
    ("zero_padding2d_2013", lambda: L.ZeroPadding2D(((2, 0), (1, 3))), IMG, 1.0, 0),
    # Dropout with a noise_shape: the identity in inference, as Keras's.
    ("dropout_noise_shape_inference", lambda: L.Dropout(0.5, noise_shape=(None, 1, 1, 3)), IMG, 1.0, 0),
    # Cropping2D with different crops before and after.
    ("cropping2d_0120", lambda: L.Cropping2D(((0, 1), (2, 0))), IMG, 1.0, 0),
    ("cropping2d_1203", lambda: L.Cropping2D(((1, 2), (0, 3))), IMG, 1.0, 0),
]


def f32(a):
    # The shortest decimal that reads back as the same float32 (str of a numpy float32).
    return [float(str(v)) for v in np.asarray(a, dtype=np.float32).ravel()]


def main(out_path):
    cases = []
    for i, (name, make, shape, x_scale, w_scale) in enumerate(CASES):
        keras.backend.clear_session()  # default layer names start again: gru, not gru_1
        rng = np.random.default_rng(1000 + i)
        layer = make()
        x = (x_scale * rng.uniform(-1, 1, size=shape)).astype(np.float32)
        layer.build(shape)
        weights = []
        for w in layer.weights:
            v = (w_scale * rng.uniform(-1, 1, size=tuple(w.shape))).astype(np.float32)
            if w.path.endswith("gamma"):
                v = v + np.float32(1)  # around LayerNormalization's ones
            w.assign(v)
            weights.append({"path": w.path, "shape": list(w.shape), "values": f32(v)})
        y = np.asarray(layer(x, training=False))
        cases.append({
            "name": name,
            "class": type(layer).__name__,
            "layer_name": layer.name,
            "config": {k: v for k, v in layer.get_config().items() if k not in ("dtype", "layer")},
            "input_shape": list(shape),
            "input": f32(x),
            "weights": weights,
            "output_shape": list(y.shape),
            "output": f32(y),
        })
    doc = {
        "generator": "builders/testdata/keras/make_golden.py",
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "mode": "inference (training=False), float32",
        "cases": cases,
    }
    text = json.dumps(doc, indent=1, default=str)
    # Lists of numbers (and of strings) on one line each: a readable, diffable file.
    text = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", "", m.group(0)).replace(",", ", "), text)
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out_path)
    print(f"wrote {len(cases)} cases to {out_path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "keras_golden.json")))

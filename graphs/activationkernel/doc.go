// Package activationkernel registers tfrun's own CPU kernels for the gradients of
// LeakyReLU, ELU and SELU in bfloat16 and float16 with TensorFlow, through its C kernel API
// (as package graphs/lstmkernel does for the LSTM cell).
//
// Three ops, for bfloat16 and float16, each giving its TensorFlow counterpart's values bit
// for bit (TestHalfGradsMatchTensorFlow), NaNs
// included, in one vectorized pass:
//   - TfrunLeakyReluGrad(gradients, outputs, alpha), LeakyReluGrad with alpha a scalar of
//     the type rather than a float attribute;
//   - TfrunEluGrad(gradients, outputs), EluGrad;
//   - TfrunSeluGrad(gradients, outputs, scale, scale_alpha), SeluGrad with SELU's
//     constants as scalars of the type, rounded as TensorFlow's kernel rounds them.
//
// TensorFlow 2.18's kernels, Eigen selects on the 16-bit type, do not vectorize: on
// [256,14,14,64], one thread of an AMD EPYC Zen 5, LeakyReluGrad took 9.0 ms in bfloat16
// (tfrun's kernel 0.39), EluGrad 9.1–9.4 (0.7), SeluGrad 9.7–9.8 (0.8); in float16 15.5–17.6
// against 1.4–3.4 (go test -run '^$' -bench HalfGrads
// ./graphs/activationkernel). float32 and float64 keep TensorFlow's kernels.
//
// Register once per process before building a graph with the ops. They are gradients, so
// they are only in training graphs and a SavedModel never holds them.
package activationkernel

// Package activationkernel registers tfrun's own CPU kernel for LeakyReLU's gradient in
// bfloat16 and float16 with TensorFlow, through its C kernel API (as package
// graphs/lstmkernel does for the LSTM cell).
//
// One op, TfrunLeakyReluGrad(gradients, outputs, alpha) → backprops, for bfloat16 and
// float16: dy where y > 0, else dy·alpha rounded to the type, the values TensorFlow's
// LeakyReluGrad gives bit for bit (TestLeakyReluGradMatchesTensorFlow), with alpha a scalar
// of the type rather than a float attribute. TensorFlow 2.18's kernel, an Eigen select on
// the 16-bit type, does not vectorize: on [256,14,14,64] it took 17 ms in bfloat16 against
// 2 ms in float32 on an AMD EPYC Zen 5 (docs/results/dcgan_profile_zen5.md). float32 and
// float64 keep TensorFlow's kernel.
//
// Register once per process before building a graph with the op. The op is a gradient, so
// it is only in training graphs and a SavedModel never holds it.
package activationkernel

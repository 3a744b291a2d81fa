// Package dropoutkernel registers tfrun's own CPU kernel for Dropout's mask with
// TensorFlow, through its C kernel API (as package graphs/lstmkernel does for the LSTM
// cell).
//
// One op, TfrunDropoutMask(shape, key, counter, rate, scale) → mask, for float32 and
// bfloat16: the flat mask [u ≥ rate]·scale over a tensor of the given shape, u being the
// uniform draws TensorFlow's StatelessRandomUniformV2 makes with that Philox key and
// counter in float32, cast to the mask's type before the comparison. It gives the values
// StatelessRandomUniformV2, Cast, GreaterEqual, Cast and Mul give, bit for bit
// (TestMaskMatchesTensorFlow), in one pass: TensorFlow's generator computes the Philox
// rounds one block at a time, tfrun's sixteen at a time in vector registers.
//
// Measured with BenchmarkMask at imdb_tuned's Embedding Dropout ([512, 200, 64] a step) on
// one thread of an AMD EPYC Zen 5: 6.5 ms against 14–16 for TensorFlow's ops
// (docs/guide/layers.md).
//
// Register once per process before building a graph with the op. Dropout runs only in
// training graphs, so a SavedModel never holds it.
package dropoutkernel

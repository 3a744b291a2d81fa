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
// rounds one block at a time, tfrun's 32 blocks at a time in AVX-512 registers (16 in
// AVX2; the widest form the CPU runs, chosen when the kernel first runs, every form
// giving the same draws: TestVectorFormsDrawTheSame).
//
// Measured with BenchmarkMask at imdb_tuned's Embedding Dropout ([512, 200, 64] a step) on
// one thread of an AMD EPYC Zen 5: 2.6–3.1 ms in float32 against 14–15 for TensorFlow's
// ops; 6.2 ms when the compiler vectorized the scalar loop (docs/guide/layers.md). Per
// 4,096 draws (BenchmarkForms, the same CPU): 0.93–1.0 µs in the AVX-512 form, 2.4 in the
// AVX2 form, 2.9 in the compiler's loop (its AVX-512 clone).
//
// Register once per process before building a graph with the op. Dropout runs only in
// training graphs, so a SavedModel never holds it.
package dropoutkernel

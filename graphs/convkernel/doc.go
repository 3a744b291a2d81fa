// Package convkernel registers tfrun's own CPU kernels for the filter gradient of a 2-D
// convolution, and for its input gradient with few input channels, in float32 and
// bfloat16 with TensorFlow, through its C kernel API (as package graphs/lstmkernel does
// for the LSTM cell).
//
// One op, TfrunConv2DBackpropFilter(input, filter, out_backprop) → filter_backprop, with
// attributes strides and paddings (the padding before the input), each (height, width),
// and threads (at most that many; 0, the default: the process's CPUs):
// TensorFlow's Conv2DBackpropFilter for NHWC tensors, dilation 1, with the filter itself
// as its second input rather than its shape. The kernel computes it as one matrix product
// per filter tap, reading x in place (no im2col copy) and skipping the padding, in
// AVX-512F tiles of 6 × 64 (AVX2 and FMA: 6 × 16), on threads of its own over disjoint
// parts of the result (each
// element is one chain of fused multiply-adds in a fixed order, so the result does not
// depend on the number of threads). With 1 to 4 input channels it packs x whole, an image
// (bfloat16: a pair of images) at a time, computes the padding's taps on zeros, and sums
// chunks of images fixed by the geometry, added in order. It needs a multiple of 16 output
// channels, and
// AVX-512F or AVX2 with FMA in float32 (Supported); in bfloat16 AVX-512F, BW and
// AVX512_BF16 (SupportedBFloat16), whose
// VDPBF16PS multiplies pairs of positions (the same position of dy in two images) and adds
// them in float32 (reading subnormal inputs as zero), the sums rounded to bfloat16 once at
// the end.
//
// A second op, TfrunConv2DBackpropInput(input_shape, filter, out_backprop) →
// input_backprop, with attributes strides, paddings and threads, input_shape an empty
// tensor of shape [0, the input's height and width, 0], is
// TensorFlow's Conv2DBackpropInput for convolutions with few input channels (an image's 1
// or 3): per row of out_backprop it computes every filter tap's products as one matrix
// product over the output channels (tiles of 6 pixels × 64 taps, AVX-512F; bfloat16 with
// AVX512_BF16, summed in float32 and rounded once), then adds them to the rows of the
// input gradient they reach, a thread owning whole images (SupportedInput,
// SupportedInputBFloat16). The height and width are a shape, not attributes, so that its
// shape function can read them (the C API reads no integer attributes there).
//
// graphs offers each as one more form of a convolution's filter or input gradient, which
// autotuning takes where it measures fastest on the machine at hand
// (graphs.FormOwnKernel). Register once per process before building a graph with the ops.
// The input gradient is also a Conv2DTranspose's forward op, but only a training graph
// measures forms: an exported graph never holds either op (export refuses one that does).
package convkernel

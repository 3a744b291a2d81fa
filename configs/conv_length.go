package configs

// The output lengths of convolutions and pooling windows: the one copy of Keras's
// conv_output_length and deconv_output_length, used by config-time shape inference
// (OutputShape) and by the builders' Build.

// ConvOutputLength is Keras's conv_output_length: the steps of a window of kernel taps,
// dilation apart (a dilation below 1 reads as 1), moved by stride over n steps, with
// padding valid (0 when the window does not fit), same or causal (both ⌈n/stride⌉).
func ConvOutputLength(n, kernel, stride, dilation int, padding string) int {
	switch padding {
	case PaddingSame, PaddingCausal: // ⌈n/stride⌉, without n + stride − 1 overflowing
		if n <= 0 {
			return 0
		}
		return (n-1)/stride + 1
	}
	k := dilatedLength(kernel, dilation)
	if n < k {
		return 0
	}
	return (n-k)/stride + 1
}

// DeconvOutputLength is Keras's deconv_output_length without output_padding: a
// transposed convolution's steps for n input steps; false when it overflows int64.
func DeconvOutputLength(n, kernel, stride int, padding string) (int, bool) {
	out, ok := mulInt(n, stride)
	if !ok || padding == PaddingSame {
		return out, ok
	}
	return addInt(out, max(kernel-stride, 0))
}

// dilatedLength is the extent of a kernel of k taps, d apart: (k − 1)·d + 1.
func dilatedLength(k, d int) int {
	return (k-1)*max(d, 1) + 1
}

// dilated is dilatedLength for each axis of a 2-D kernel.
func dilated(k, d [2]int) [2]int {
	return [2]int{dilatedLength(k[0], d[0]), dilatedLength(k[1], d[1])}
}

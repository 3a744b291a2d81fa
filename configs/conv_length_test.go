package configs

import "testing"

// TestConvOutputLength checks the one copy of the convolution and pooling arithmetic
// against Keras 3.15.1's own layers (rows printed by testdata/conv_lengths.py:
// Conv1D's and MaxPooling1D's output steps, then Conv1DTranspose's, -1 where Keras
// has no transposed twin of the case), plus the window that does not fit.
func TestConvOutputLength(t *testing.T) {
	cases := []struct {
		n, k, stride, dilation int
		padding                string
		want, wantDeconv       int
	}{
		{28, 5, 1, 1, "valid", 24, 32},
		{28, 5, 2, 1, "valid", 12, 59},
		{28, 5, 2, 1, "same", 14, 56},
		{10, 3, 1, 2, "valid", 6, -1},
		{10, 3, 1, 2, "same", 10, -1},
		{10, 3, 1, 2, "causal", 10, -1},
		{7, 3, 3, 1, "valid", 2, 21},
		{7, 3, 3, 1, "same", 3, 21},
		{7, 3, 1, 3, "valid", 1, -1},
		{1, 1, 4, 1, "same", 1, 4},
		{9, 4, 4, 1, "valid", 2, 36},
		{5, 3, 1, 3, "valid", 0, -1},  // dilated extent 7 > 5 steps: Keras refuses, tfrun says 0
		{10, 3, 1, 0, "valid", 8, -1}, // a zero dilation (a layer made without one) reads as 1
	}
	for _, c := range cases {
		if got := ConvOutputLength(c.n, c.k, c.stride, c.dilation, c.padding); got != c.want {
			t.Errorf("ConvOutputLength(%d, %d, %d, %d, %s) = %d, want %d", c.n, c.k, c.stride, c.dilation, c.padding, got, c.want)
		}
		if c.wantDeconv < 0 {
			continue
		}
		if got, ok := DeconvOutputLength(c.n, c.k, c.stride, c.padding); !ok || got != c.wantDeconv {
			t.Errorf("DeconvOutputLength(%d, %d, %d, %s) = %d, %v, want %d, true", c.n, c.k, c.stride, c.padding, got, ok, c.wantDeconv)
		}
	}
	if _, ok := DeconvOutputLength(1<<62, 3, 4, "valid"); ok {
		t.Error("DeconvOutputLength(2^62, 3, 4, valid) did not report the int64 overflow")
	}
}

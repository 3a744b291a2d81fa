package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Strided 1×1 convolutions, written without TensorFlow's strided convolution kernels.
//
// oneDNN's strided 1×1 backward-weights kernel (jit_1x1, the filter gradient TensorFlow
// runs with TF_ENABLE_ONEDNN_OPTS=1, its default on Intel CPUs) writes past its workspace
// (oneDNN issue #6035, open for AVX2 and AVX-512): a Conv2DTranspose with a 1×1 kernel at
// stride 2 killed the process with heap corruption in 3 of 6 runs on an AMD EPYC Zen 3 at
// e60b4b4. ResNets' projection shortcuts are such convolutions (Conv2D 1×1, stride 2).
//
// With a 1×1 kernel a convolution at strides (sh, sw) reads one input pixel per output
// pixel, x[o·sh, o·sw]: SAME and VALID both pad nothing and give ceil(n/s) positions. So
// it is a strided slice followed by a stride-1 1×1 convolution, and its transpose is a
// stride-1 1×1 convolution whose results are spread s apart with zeros between them.
// TensorFlow differentiates both with its slice, pad and stride-1 kernels; the FLOP count
// is the convolution's either way (the stride-1 conv does exactly its multiply-adds).

// isStrided1x1 reports whether filter is a static 1×1 kernel and a stride is above 1.
func isStrided1x1(filter tf.Output, strides [2]int) bool {
	fs, ok := staticShape(filter, 4)
	return ok && fs[0] == 1 && fs[1] == 1 && (strides[0] > 1 || strides[1] > 1)
}

// strided1x1Conv2D is Conv2D(x, filter) for a 1×1 filter [1, 1, in, out] at strides.
func (s *Scope) strided1x1Conv2D(x, filter tf.Output, strides [2]int) tf.Output {
	s = s.Sub("strided_1x1")
	// Begin and end masks 0b1111: every axis from its start to its end, stepping by the
	// strides along height and width.
	picked := op.StridedSlice(s.Op("StridedSlice"), x, s.Const([]int32{0, 0, 0, 0}),
		s.Const([]int32{0, 0, 0, 0}), s.Const([]int32{1, int32(strides[0]), int32(strides[1]), 1}),
		op.StridedSliceBeginMask(15), op.StridedSliceEndMask(15))
	return op.Conv2D(s.Op("Conv2D"), picked, filter, []int64{1, 1, 1, 1}, "VALID")
}

// strided1x1Conv2DTranspose is Conv2DTranspose(x, filter) for a 1×1 filter
// [1, 1, out channels, in channels] at strides, out being (height, width, channels): the
// input pixel (i, j) lands on (i·sh, j·sw) and every other position is zero.
func (s *Scope) strided1x1Conv2DTranspose(x, filter tf.Output, out [3]int64, strides [2]int) tf.Output {
	s = s.Sub("strided_1x1_transpose")
	xs, _ := staticShape(x, 4)
	h, w := xs[1], xs[2]
	sh, sw := int64(strides[0]), int64(strides[1])
	kernel := op.Transpose(s.Op("Transpose"), filter, s.Const([]int32{0, 1, 3, 2}))
	y := op.Conv2D(s.Op("Conv2D"), x, kernel, []int64{1, 1, 1, 1}, "VALID")
	// [batch, h, 1, w, 1, c], each pixel followed by sh−1 zero rows and sw−1 zero columns,
	// then folded back into [batch, h·sh, w·sw, c].
	y = op.Reshape(s.Op("Reshape"), y, s.Const([]int64{-1, h, 1, w, 1, out[2]}))
	y = op.Pad(s.Op("Pad"), y, s.Const([][]int32{{0, 0}, {0, 0}, {0, int32(sh - 1)}, {0, 0}, {0, int32(sw - 1)}, {0, 0}}))
	y = op.Reshape(s.Op("Reshape_1"), y, s.Const([]int64{-1, h * sh, w * sw, out[2]}))
	if out[0] != h*sh || out[1] != w*sw {
		y = s.cropSpatial(y, out[0], out[1])
	}
	return y
}

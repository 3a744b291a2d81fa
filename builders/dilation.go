package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Dilated ("à trous") convolutions run as ordinary ones on a dilated kernel: the taps of a
// [kh, kw, ...] kernel spread rate apart with zeros between them, [(kh − 1)·rh + 1,
// (kw − 1)·rw + 1, ...]. TensorFlow's own ways do not suit a graph differentiated by the
// C++ registry: its Conv2D gradient ignores the dilations attribute (the input gradient
// fails on its shapes), and the CPU DepthwiseConv2dNative kernel refuses dilations
// ("Current kernel implementation does not support dilations"). The zero taps add exact
// zeros, so the output is the dilated convolution's; they cost their multiplications (a
// 3×3 kernel at rate 2 runs 25 taps for 9). Padding "same" pads for the dilated extent, as
// TensorFlow and Keras do.

// dilationOrOne reads a zero dilation (a layer made without one) as 1.
func dilationOrOne(rate [2]int) [2]int {
	return [2]int{max(rate[0], 1), max(rate[1], 1)}
}

// dilateKernel spreads the taps of a 4-D kernel of static spatial size k along its first
// two axes, rate apart (the kernel itself when rate is 1): per axis, each tap followed by
// rate − 1 zero taps (ExpandDims, Pad, Reshape), the trailing zeros sliced off. Every op
// has a registered gradient, which gathers the kernel's gradient from its taps.
func dilateKernel(s *graphs.Scope, kernel tf.Output, k, rate [2]int) tf.Output {
	rate = dilationOrOne(rate)
	if rate == [2]int{1, 1} || !s.Ok(kernel) {
		return kernel
	}
	dims, err := kernel.Shape().ToSlice()
	if err != nil || len(dims) != 4 {
		s.Fail("dilateKernel: kernel of shape %v, want 4 known dimensions", kernel.Shape())
		return kernel
	}
	for axis := 0; axis < 2; axis++ {
		r := rate[axis]
		if r == 1 {
			continue
		}
		x := op.ExpandDims(s.Op("ExpandDims"), kernel, s.Const(int32(axis+1)))
		pad := make([][]int32, 5)
		for i := range pad {
			pad[i] = []int32{0, 0}
		}
		pad[axis+1][1] = int32(r - 1)
		x = op.Pad(s.Op("Pad"), x, s.Const(pad))
		shape := []int32{int32(dims[0]), int32(dims[1]), int32(dims[2]), int32(dims[3])}
		shape[axis] *= int32(r)
		x = op.Reshape(s.Op("Reshape"), x, s.Const(shape))
		begin := []int32{0, 0, 0, 0}
		size := []int32{-1, -1, -1, -1}
		size[axis] = int32((k[axis]-1)*r + 1)
		kernel = op.Slice(s.Op("Slice"), x, s.Const(begin), s.Const(size))
		dims[axis] = int64(size[axis])
	}
	return kernel
}

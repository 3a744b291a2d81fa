package graphs

import (
	"github.com/wamuir/graft/tensorflow/op"

	tf "github.com/wamuir/graft/tensorflow"
)

// OpConv2DBackpropInput is the op type of tfrun's own float32 and bfloat16 input gradient
// kernels for convolutions with few input channels (package graphs/convkernel registers
// them): TfrunConv2DBackpropInput(input_shape, filter, out_backprop) with attributes
// strides and paddings, the padding before the input, each (height, width). input_shape
// is an empty tensor of shape [0, height, width, 0]: its shape is the input's height and
// width, which the op's shape function can read (through TensorFlow's C API it reads
// neither values nor integer attributes).
const OpConv2DBackpropInput = "TfrunConv2DBackpropInput"

// ownInputKernelMaxChannels is the most input channels the input gradient kernel is a
// candidate for: it computes every tap's products, kh·kw·ci of them, which pays where
// oneDNN's kernels, vectorized over those channels, fill their vectors poorly (an image's
// 1 or 3 channels).
const ownInputKernelMaxChannels = 4

// OwnConv2DBackpropInput is Conv2DBackpropInput(input_sizes, filter, dy) (NHWC, padding
// "SAME" or "VALID") in tfrun's own kernel (the caller has registered package
// graphs/convkernel): size is the forward conv's input without the batch (height, width,
// channels), float32 or bfloat16, the filter's shape and dy's spatial dimensions static,
// at most ownInputKernelMaxChannels input channels, dy's channels a multiple of 16. A
// problem outside these is an error on the scope. The kernel runs on at most threads
// threads of its own (0: the process's CPUs).
func (s *Scope) OwnConv2DBackpropInput(size [3]int64, filter, dy tf.Output, strides [2]int, padding string, threads int) tf.Output {
	fs, okF := staticShape(filter, 4)
	ds, okD := staticShape(dy, 4)
	if !okF || !okD || !ownInputKernelApplies(convProblem{x: []int64{ds[0], size[0], size[1], size[2]}, filter: fs, dy: ds,
		strides: strides, padding: padding, dtype: dy.DataType()}) {
		s.Fail("%s: input %v, filter %v, dy %v (%s, strides %v, %s): the kernel takes float32 or bfloat16, static shapes, SAME or VALID, at most %d input channels and output channels a multiple of 16",
			OpConv2DBackpropInput, size, fs, ds, DTypeName(dy.DataType()), strides, padding, ownInputKernelMaxChannels)
		return tf.Output{}
	}
	pads := []int64{0, 0}
	if padding == "SAME" {
		pads = []int64{samePadBefore(size[0], ds[1], fs[0], int64(strides[0])), samePadBefore(size[1], ds[2], fs[1], int64(strides[1]))}
	}
	like := s.CastTo(op.Reshape(s.Op("Reshape"), s.Const([]float32{}), s.Const([]int64{0, size[0], size[1], 0})), dy.DataType())
	o := s.Op(OpConv2DBackpropInput).AddOperation(tf.OpSpec{Type: OpConv2DBackpropInput, Input: []tf.Input{like, filter, dy},
		Attrs: map[string]any{"strides": []int64{int64(strides[0]), int64(strides[1])}, "paddings": pads, "threads": int64(max(threads, 0))}})
	if !s.Ok() {
		return tf.Output{}
	}
	return o.Output(0)
}

// ownInputKernelApplies reports whether the kernel computes the problem's input gradient
// and is worth a measurement: float32 or bfloat16, static shapes (but the batch), at most
// ownInputKernelMaxChannels input channels, output channels a multiple of 16, SAME or
// VALID.
func ownInputKernelApplies(p convProblem) bool {
	return (p.dtype == tf.Float || p.dtype == tf.Bfloat16) && len(p.filter) == 4 && len(p.x) == 4 && len(p.dy) == 4 &&
		p.filter[2] == p.x[3] && p.filter[2] >= 1 && p.filter[2] <= ownInputKernelMaxChannels &&
		p.filter[3] > 0 && p.filter[3]%16 == 0 && p.filter[0] > 0 && p.filter[1] > 0 &&
		p.strides[0] >= 1 && p.strides[1] >= 1 && (p.padding == "SAME" || p.padding == "VALID") &&
		p.x[1] > 0 && p.x[2] > 0 && p.dy[1] > 0 && p.dy[2] > 0
}

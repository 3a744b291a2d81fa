package graphs

import tf "github.com/wamuir/graft/tensorflow"

// OpConv2DBackpropFilter is the op type of tfrun's own float32 and bfloat16 filter gradient
// kernels (package graphs/convkernel registers them with TensorFlow):
// TfrunConv2DBackpropFilter(input, filter, out_backprop) with attributes strides and
// paddings, the padding before the input, each (height, width).
const OpConv2DBackpropFilter = "TfrunConv2DBackpropFilter"

// FormOwnKernel is the filter gradient in tfrun's own kernel (OpConv2DBackpropFilter), a
// form autotuning offers when Autotune.ConvFilterKernel says the kernel runs here in the
// gradient's dtype.
const FormOwnKernel = "own_kernel"

// OwnConv2DBackpropFilter is the gradient of Conv2D(x, filter) (NHWC, padding "SAME" or
// "VALID") with respect to filter, given dy, in tfrun's own kernel (the caller has
// registered package graphs/convkernel): float32 or bfloat16, the spatial dimensions of x
// and dy and the filter's shape static, the output channels a multiple of 16. A problem
// outside these is an error on the scope. The kernel runs on at most threads threads of its
// own (0: the process's CPUs), as a session's IntraOpThreads bound TensorFlow's kernels.
func (s *Scope) OwnConv2DBackpropFilter(x, filter, dy tf.Output, strides [2]int, padding string, threads int) tf.Output {
	xs, okX := staticShape(x, 4)
	fs, okF := staticShape(filter, 4)
	ds, okD := staticShape(dy, 4)
	p := convProblem{x: xs, filter: fs, dy: ds, strides: strides, padding: padding, dtype: x.DataType()}
	if !okX || !okF || !okD || !ownFilterKernelApplies(p) {
		s.Fail("%s: x %v, filter %v, dy %v (%s, strides %v, %s): the kernel takes float32 or bfloat16, static shapes, SAME or VALID and output channels a multiple of 16",
			OpConv2DBackpropFilter, xs, fs, ds, DTypeName(x.DataType()), strides, padding)
		return tf.Output{}
	}
	var pads []int64
	if padding == "SAME" {
		pads = []int64{samePadBefore(xs[1], ds[1], fs[0], int64(strides[0])), samePadBefore(xs[2], ds[2], fs[1], int64(strides[1]))}
	} else {
		pads = []int64{0, 0}
	}
	o := s.Op(OpConv2DBackpropFilter).AddOperation(tf.OpSpec{Type: OpConv2DBackpropFilter, Input: []tf.Input{x, filter, dy},
		Attrs: map[string]any{"strides": []int64{int64(strides[0]), int64(strides[1])}, "paddings": pads, "threads": int64(max(threads, 0))}})
	if !s.Ok() {
		return tf.Output{}
	}
	return o.Output(0)
}

// ownFilterKernelApplies reports whether the kernel computes the problem's filter gradient:
// float32 or bfloat16, static shapes (but the batch), output channels a multiple of 16,
// SAME or VALID.
func ownFilterKernelApplies(p convProblem) bool {
	return (p.dtype == tf.Float || p.dtype == tf.Bfloat16) && len(p.filter) == 4 && p.filter[3] > 0 && p.filter[3]%16 == 0 &&
		p.strides[0] >= 1 && p.strides[1] >= 1 && (p.padding == "SAME" || p.padding == "VALID") &&
		p.x[1] > 0 && p.x[2] > 0 && p.dy[1] > 0 && p.dy[2] > 0
}

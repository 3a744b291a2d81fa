package graphs

import tf "github.com/wamuir/graft/tensorflow"

// The op types of tfrun's own EluGrad and SeluGrad kernels for bfloat16 and float16
// (package graphs/activationkernel registers them, with OpLeakyReluGrad):
// OpEluGrad(gradients, outputs) and OpSeluGrad(gradients, outputs, scale, scale_alpha),
// the last two scalars of the gradients' type. Each gives TensorFlow's EluGrad and SeluGrad
// bit for bit.
const (
	OpEluGrad  = "TfrunEluGrad"
	OpSeluGrad = "TfrunSeluGrad"
)

// IsOwnOp reports whether opType is one of tfrun's own kernels (OpLSTMCell,
// OpLSTMCellGrad, OpDropoutMask, OpLeakyReluGrad, OpEluGrad, OpSeluGrad,
// OpConv2DBackpropFilter, OpConv2DBackpropInput): a graph holding
// one runs only in a process that registered them, never in Python TensorFlow or
// TensorFlow Serving.
func IsOwnOp(opType string) bool {
	switch opType {
	case OpLSTMCell, OpLSTMCellGrad, OpDropoutMask, OpLeakyReluGrad, OpEluGrad, OpSeluGrad, OpConv2DBackpropFilter,
		OpConv2DBackpropInput:
		return true
	}
	return false
}

// OwnOp adds one of tfrun's own ops of one output (the caller has registered its package)
// with the given inputs, and returns its output.
func (s *Scope) OwnOp(opType string, in ...tf.Output) tf.Output {
	inputs := make([]tf.Input, len(in))
	for i, o := range in {
		inputs[i] = o
	}
	o := s.Op(opType).AddOperation(tf.OpSpec{Type: opType, Input: inputs})
	if !s.Ok() {
		return tf.Output{}
	}
	return o.Output(0)
}

package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// UnrolledLSTM computes what BlockLSTM computes with ops the gradient registry covers, for
// a static number of steps: the input projection x·kernel + b of every step in one MatMul
// (as Keras's LSTM does), then one cell per step (h·recurrent_kernel, Split, Sigmoid, Tanh,
// Mul, AddV2). It works in any float dtype, serves as the reference BlockLSTM is checked
// against, and at large batches trains faster than the fused kernel, whose backward pass
// redoes the input projection step by step. x is time-major [steps, batch, input] with a
// static input size; w and b as for BlockLSTM; the result is h of every step,
// [steps, batch, units].
func (s *Scope) UnrolledLSTM(x, w, b tf.Output, steps, units int) tf.Output {
	if !s.Ok(x, w, b) {
		return tf.Output{}
	}
	ls := s.Sub("unrolled_lstm")
	in := int32(x.Shape().Size(2))
	u4 := int32(4 * units)
	kernel := op.Slice(ls.Op("Slice"), w, ls.Const([]int32{0, 0}), ls.Const([]int32{in, u4}))
	recurrent := op.Slice(ls.Op("Slice"), w, ls.Const([]int32{in, 0}), ls.Const([]int32{int32(units), u4}))
	shape := op.Shape(ls.Op("Shape"), x, op.ShapeOutType(tf.Int32))
	batch := op.StridedSlice(ls.Op("StridedSlice"), shape, ls.Const([]int32{1}), ls.Const([]int32{2}), ls.Const([]int32{1}))
	flat := op.Reshape(ls.Op("Reshape"), x, ls.Const([]int32{-1, in}))
	xw := op.BiasAdd(ls.Op("BiasAdd"), op.MatMul(ls.Op("MatMul"), flat, kernel), b)
	xw = op.Reshape(ls.Op("Reshape"), xw, op.ConcatV2(ls.Op("ConcatV2"),
		[]tf.Output{ls.Const([]int32{int32(steps)}), batch, ls.Const([]int32{u4})}, ls.Const(int32(0))))
	xs := op.Unpack(ls.Op("Unpack"), xw, int64(steps), op.UnpackAxis(0))
	dims := op.ConcatV2(ls.Op("ConcatV2"), []tf.Output{batch, ls.Const([]int32{int32(units)})}, ls.Const(int32(0)))
	zero := op.Cast(ls.Op("Cast"), ls.Const(float32(0)), s.g.dtype)
	h := op.Fill(ls.Op("Fill"), dims, zero)
	c := h
	hs := make([]tf.Output, steps)
	for t := 0; t < steps; t++ {
		cs := ls.Sub("step")
		z := op.AddV2(cs.Op("AddV2"), xs[t], op.MatMul(cs.Op("MatMul"), h, recurrent))
		gates := op.Split(cs.Op("Split"), cs.Const(int32(1)), z, 4)
		i := op.Sigmoid(cs.Op("Sigmoid"), gates[0])
		f := op.Sigmoid(cs.Op("Sigmoid"), gates[1])
		g := op.Tanh(cs.Op("Tanh"), gates[2])
		o := op.Sigmoid(cs.Op("Sigmoid"), gates[3])
		c = op.AddV2(cs.Op("AddV2"), op.Mul(cs.Op("Mul"), f, c), op.Mul(cs.Op("Mul"), i, g))
		h = op.Mul(cs.Op("Mul"), o, op.Tanh(cs.Op("Tanh"), c))
		hs[t] = h
	}
	return op.Pack(ls.Op("Pack"), hs, op.PackAxis(0))
}

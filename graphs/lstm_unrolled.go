package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// UnrolledLSTM computes what BlockLSTM computes with one MatMul/Split/Sigmoid/Tanh cell per
// time step, for a static number of steps: every op has a registered gradient, so it works
// in float64 and serves as the reference BlockLSTM is checked against. x is time-major
// [steps, batch, input]; the result is h of every step, [steps, batch, units].
func (s *Scope) UnrolledLSTM(x, w, b tf.Output, steps, units int) tf.Output {
	ls := s.Sub("unrolled_lstm")
	xs := op.Unpack(ls.Op("Unpack"), x, int64(steps), op.UnpackAxis(0))
	shape := op.Shape(ls.Op("Shape"), x, op.ShapeOutType(tf.Int32))
	batch := op.StridedSlice(ls.Op("StridedSlice"), shape, ls.Const([]int32{1}), ls.Const([]int32{2}), ls.Const([]int32{1}))
	dims := op.ConcatV2(ls.Op("ConcatV2"), []tf.Output{batch, ls.Const([]int32{int32(units)})}, ls.Const(int32(0)))
	zero := op.Cast(ls.Op("Cast"), ls.Const(float32(0)), x.DataType())
	h := op.Fill(ls.Op("Fill"), dims, zero)
	c := h
	hs := make([]tf.Output, steps)
	for t := 0; t < steps; t++ {
		cs := ls.Sub("step")
		xh := op.ConcatV2(cs.Op("ConcatV2"), []tf.Output{xs[t], h}, cs.Const(int32(1)))
		z := op.BiasAdd(cs.Op("BiasAdd"), op.MatMul(cs.Op("MatMul"), xh, w), b)
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

package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// The op types of tfrun's own LSTM cell kernels (package graphs/lstmkernel registers
// them with TensorFlow).
const (
	OpLSTMCell     = "TfrunLSTMCell"
	OpLSTMCellGrad = "TfrunLSTMCellGrad"
)

// KernelLSTM computes what UnrolledLSTM computes, statically unrolled the same way, with
// each step's element-wise part (bias, gates, cell state, output) in one op of tfrun's own,
// TfrunLSTMCell, and its backward pass in one TfrunLSTMCellGrad. Only the recurrent
// products are sequential: the input's product with the kernel is one MatMul over every
// step ([steps·batch, input]·kernel), and so are the backward pass's products that do not
// feed the recurrence (the input's, the kernel's and the recurrent kernel's gradients, see
// hoistedProducts). A step is then one MatMul and one cell op forward, one cell op and one
// MatMul backward. x is time-major [steps, batch, input]; w and b as for BlockLSTM; the
// result is h of every step, [steps, batch, units]. It works in float32 and bfloat16.
//
// The ops must be registered first (lstmkernel.Register); a graph that uses them runs only
// in a process that registered them, so it is never exported (a SavedModel keeps
// TensorFlow's own ops: BlockLSTMV2).
func (s *Scope) KernelLSTM(x, w, b tf.Output, steps, units int) tf.Output {
	if !s.Ok(x, w, b) {
		return tf.Output{}
	}
	var c kernelCells
	outs := s.Sub("kernel_lstm").CustomGradient("KernelLSTM", []tf.Output{x, w, b},
		func(fs *Scope, in []tf.Output) []tf.Output { return c.forward(fs, in[0], in[1], in[2], steps, units) },
		func(gs *Scope, d []tf.Output) []tf.Output { return c.backward(gs, d[0]) })
	return outs[0]
}

// kernelCells holds what the forward pass of KernelLSTM keeps for its backward pass.
type kernelCells struct {
	hoisted
	gates, tanhC []tf.Output // each step's activated gates [batch, 4·units] and tanh(c)
	cPrev, hPrev []tf.Output // the state each step starts from (zeros at step 0)
	zeros        tf.Output   // [batch, units]
}

// forward emits the cells and returns h of every step, [steps, batch, units]. Step 0
// starts from zero state: its recurrent product is a zero [batch, 4·units] tensor.
func (c *kernelCells) forward(s *Scope, x, w, b tf.Output, steps, units int) []tf.Output {
	zxs := c.project(s, x, w, tf.Output{}, steps, units) // the cell op adds b
	u4 := int32(4 * units)
	batch := op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), x), s.Const([]int32{1}), s.Const([]int32{1}))
	zero := op.Cast(s.Op("Cast"), s.Const(float32(0)), x.DataType())
	fill := func(n int32) tf.Output {
		dims := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{n})}, s.Const(int32(0)))
		return op.Fill(s.Op("Fill"), dims, zero)
	}
	c.zeros = fill(int32(units))
	zh := fill(u4)
	c.gates, c.tanhC = make([]tf.Output, steps), make([]tf.Output, steps)
	c.cPrev, c.hPrev = make([]tf.Output, steps), make([]tf.Output, steps)
	hs := make([]tf.Output, steps)
	h, cell := c.zeros, c.zeros
	for t := range steps {
		cs := s.Sub("step")
		if t > 0 {
			zh = op.MatMul(cs.Op("MatMul"), h, c.recurrent)
		}
		c.cPrev[t], c.hPrev[t] = cell, h
		o := cs.Op(OpLSTMCell).AddOperation(tf.OpSpec{Type: OpLSTMCell, Input: []tf.Input{zxs[t], zh, b, cell}})
		if !cs.Ok() {
			return []tf.Output{{}}
		}
		h, cell = o.Output(0), o.Output(1)
		c.gates[t], c.tanhC[t] = o.Output(2), o.Output(3)
		hs[t] = h
	}
	return []tf.Output{op.Pack(s.Op("Pack"), hs, op.PackAxis(0))}
}

// backward is backpropagation through time over the cells, given dH, the gradient of h of
// every step (see lstmCells.backward for the math): per step TfrunLSTMCellGrad turns the
// output's and the cell state's gradients into dz, the pre-activations' gradient, its
// batch sum (the bias gradient) and the previous cell state's gradient, and MatMul takes
// dz to the previous output (dz·recurrent_kernelᵀ); the products with the input and the
// weights follow over all steps at once (hoistedProducts). It returns the gradients of x,
// w (kernel and recurrent kernel concatenated) and b.
func (c *kernelCells) backward(s *Scope, dH tf.Output) []tf.Output {
	T := c.steps
	dHs := op.Unpack(s.Op("Unpack"), dH, int64(T), op.UnpackAxis(0))
	dzs := make([]tf.Output, T)
	dbs := make([]tf.Output, 0, T)
	dhNext, dcNext := c.zeros, c.zeros
	for t := T - 1; t >= 0; t-- {
		cs := s.Sub("step")
		g := cs.Op(OpLSTMCellGrad).AddOperation(tf.OpSpec{Type: OpLSTMCellGrad,
			Input: []tf.Input{dHs[t], dhNext, dcNext, c.gates[t], c.tanhC[t], c.cPrev[t]}})
		if !cs.Ok() {
			return make([]tf.Output, 3)
		}
		dzs[t] = g.Output(0)
		dcNext = g.Output(1)
		dbs = append(dbs, g.Output(2))
		if t > 0 {
			dhNext = op.MatMul(cs.Op("MatMul"), dzs[t], c.recurrent, op.MatMulTransposeB(true))
		}
	}
	dx, dw, _ := c.hoistedProducts(s, dzs, c.hPrev)
	return []tf.Output{dx, dw, op.AddN(s.Op("AddN"), dbs)}
}

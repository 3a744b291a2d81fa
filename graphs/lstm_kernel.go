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
// TfrunLSTMCell, and its backward pass in one TfrunLSTMCellGrad: a step is two MatMuls
// and one cell op forward, and one cell op and four MatMuls backward, where the unrolled
// cell emits about 14 and 20 ops (the per-step products kept as UnrolledLSTM keeps them, and
// for the same measured reason). w and b are as for BlockLSTM. It works in float32 and
// bfloat16.
//
// x is batch-major, [batch, steps, input], as a Keras layer receives it, and so is the
// result: h of every step, [batch, steps, units], when sequences, else the last step's h,
// [batch, units]. The steps are unpacked from x and h packed along axis 1 directly, with no
// Transpose to time-major and back, and a last-step-only LSTM neither packs the steps' h
// nor receives a gradient for them (zeros): on imdb_tuned (200 steps, batch 512) that is a
// [200, 512, 64] Transpose each way, a Pack, a GatherV2 and its gradient's scatter fewer a
// training step, and the same values bit for bit.
//
// The ops must be registered first (lstmkernel.Register); a graph that uses them runs only
// in a process that registered them, so it is never exported (a SavedModel keeps
// TensorFlow's own ops: BlockLSTMV2).
func (s *Scope) KernelLSTM(x, w, b tf.Output, steps, units int, sequences bool) tf.Output {
	if !s.Ok(x, w, b) {
		return tf.Output{}
	}
	s.Graph().markUnrolled()
	c := kernelCells{sequences: sequences}
	outs := s.Sub("kernel_lstm").CustomGradient("KernelLSTM", []tf.Output{x, w, b},
		func(fs *Scope, in []tf.Output) []tf.Output { return c.forward(fs, in[0], in[1], in[2], steps, units) },
		func(gs *Scope, d []tf.Output) []tf.Output { return c.backward(gs, d[0]) })
	return outs[0]
}

// kernelCells holds what the forward pass of KernelLSTM keeps for its backward pass.
type kernelCells struct {
	steps             int
	sequences         bool        // the result is every step's h, not the last one's
	xs                []tf.Output // the inputs of each step [batch, input]
	kernel, recurrent tf.Output
	gates, tanhC      []tf.Output // each step's activated gates [batch, 4·units] and tanh(c)
	cPrev, hPrev      []tf.Output // the state each step starts from (zeros at step 0)
	zeros             tf.Output   // [batch, units]
}

// forward emits the cells and returns h of every step, [batch, steps, units], or the last
// step's (c.sequences). Step 0 starts from zero state: its recurrent product is a zero
// [batch, 4·units] tensor.
func (c *kernelCells) forward(s *Scope, x, w, b tf.Output, steps, units int) []tf.Output {
	c.steps = steps
	inputs := int32(x.Shape().Size(2))
	u4 := int32(4 * units)
	c.kernel = op.Slice(s.Op("Slice"), w, s.Const([]int32{0, 0}), s.Const([]int32{inputs, u4}))
	c.recurrent = op.Slice(s.Op("Slice"), w, s.Const([]int32{inputs, 0}), s.Const([]int32{int32(units), u4}))
	c.xs = op.Unpack(s.Op("Unpack"), x, int64(steps), op.UnpackAxis(1))
	batch := op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), x), s.Const([]int32{0}), s.Const([]int32{1}))
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
		zx := op.MatMul(cs.Op("MatMul"), c.xs[t], c.kernel)
		if t > 0 {
			zh = op.MatMul(cs.Op("MatMul"), h, c.recurrent)
		}
		c.cPrev[t], c.hPrev[t] = cell, h
		o := cs.Op(OpLSTMCell).AddOperation(tf.OpSpec{Type: OpLSTMCell, Input: []tf.Input{zx, zh, b, cell}})
		if !cs.Ok() {
			return []tf.Output{{}}
		}
		h, cell = o.Output(0), o.Output(1)
		c.gates[t], c.tanhC[t] = o.Output(2), o.Output(3)
		hs[t] = h
	}
	if !c.sequences {
		return []tf.Output{h}
	}
	return []tf.Output{op.Pack(s.Op("Pack"), hs, op.PackAxis(1))}
}

// backward is backpropagation through time over the cells, given dH, the gradient of the
// result (every step's h, or the last step's; see lstmCells.backward for the math): per step TfrunLSTMCellGrad turns the
// output's and the cell state's gradients into dz, the pre-activations' gradient, its
// batch sum (the bias gradient) and the previous cell state's gradient; MatMul takes dz
// to the step's input, the previous output and the weights. It returns the gradients of
// x, w (kernel and recurrent kernel concatenated) and b.
func (c *kernelCells) backward(s *Scope, dH tf.Output) []tf.Output {
	T := c.steps
	dHs := make([]tf.Output, T)
	if c.sequences {
		dHs = op.Unpack(s.Op("Unpack"), dH, int64(T), op.UnpackAxis(1))
	} else { // only the last step's h is an output: the others' own gradients are zero
		for t := range T - 1 {
			dHs[t] = c.zeros
		}
		dHs[T-1] = dH
	}
	dxs := make([]tf.Output, T)
	var dKs, dRs, dbs []tf.Output
	dhNext, dcNext := c.zeros, c.zeros
	for t := T - 1; t >= 0; t-- {
		cs := s.Sub("step")
		g := cs.Op(OpLSTMCellGrad).AddOperation(tf.OpSpec{Type: OpLSTMCellGrad,
			Input: []tf.Input{dHs[t], dhNext, dcNext, c.gates[t], c.tanhC[t], c.cPrev[t]}})
		if !cs.Ok() {
			return make([]tf.Output, 3)
		}
		dz := g.Output(0)
		dcNext = g.Output(1)
		dbs = append(dbs, g.Output(2))
		dxs[t] = op.MatMul(cs.Op("MatMul"), dz, c.kernel, op.MatMulTransposeB(true))
		dKs = append(dKs, op.MatMul(cs.Op("MatMul"), c.xs[t], dz, op.MatMulTransposeA(true)))
		if t > 0 {
			dhNext = op.MatMul(cs.Op("MatMul"), dz, c.recurrent, op.MatMulTransposeB(true))
			dRs = append(dRs, op.MatMul(cs.Op("MatMul"), c.hPrev[t], dz, op.MatMulTransposeA(true)))
		}
	}
	dx := op.Pack(s.Op("Pack"), dxs, op.PackAxis(1))
	dK := op.AddN(s.Op("AddN"), dKs)
	var dR tf.Output
	if len(dRs) > 0 {
		dR = op.AddN(s.Op("AddN"), dRs)
	} else { // one step: the recurrent kernel is never used
		dR = op.ZerosLike(s.Op("ZerosLike"), c.recurrent)
	}
	dw := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{dK, dR}, s.Const(int32(0)))
	return []tf.Output{dx, dw, op.AddN(s.Op("AddN"), dbs)}
}

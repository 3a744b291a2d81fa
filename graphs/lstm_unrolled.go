package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// UnrolledLSTM computes what BlockLSTM computes with plain ops, for a static number of
// steps: one cell per step, as Keras's LSTM cell computes it (z = x_t·kernel +
// h·recurrent_kernel + b, Split, Sigmoid, Tanh, Mul, AddV2). It works in any float dtype and
// serves as the reference BlockLSTM is checked against. x is time-major
// [steps, batch, input] with a static input size; w and b as for BlockLSTM; the result is
// h of every step, [steps, batch, units].
//
// The backward pass is written out (CustomGradient) rather than derived by TF_AddGradients,
// which adds shape and broadcast bookkeeping to the gradient of every Mul and AddV2:
// imdb_tuned's training graph has 10,759 operations with the written-out backward (about
// 20 a step, see lstmCells.backward) against 16,751 with the derived one, which also held
// more intermediate tensors, and a training step costs about a third less CPU time.
//
// Only the recurrent products are sequential: the input's product with the kernel (and the
// bias) is one MatMul over every step, and so are the backward pass's products that do not
// feed the recurrence (hoistedProducts), as in KernelLSTM.
func (s *Scope) UnrolledLSTM(x, w, b tf.Output, steps, units int) tf.Output {
	if !s.Ok(x, w, b) {
		return tf.Output{}
	}
	var c lstmCells
	outs := s.Sub("unrolled_lstm").CustomGradient("UnrolledLSTM", []tf.Output{x, w, b},
		func(fs *Scope, in []tf.Output) []tf.Output { return c.forward(fs, in[0], in[1], in[2], steps, units) },
		func(gs *Scope, d []tf.Output) []tf.Output { return c.backward(gs, d[0]) })
	return outs[0]
}

// lstmCells holds what the forward pass of UnrolledLSTM keeps for its backward pass.
type lstmCells struct {
	hoisted
	i, f, g, o, tc []tf.Output // the gates and tanh(c) of each step [batch, units]
	cPrev, hPrev   []tf.Output // the state each step starts from (nil: zeros, at step 0)
}

// forward emits the cells and returns h of every step, [steps, batch, units].
func (c *lstmCells) forward(s *Scope, x, w, b tf.Output, steps, units int) []tf.Output {
	zxs := c.project(s, x, w, b, steps, units)
	c.i, c.f, c.g, c.o, c.tc = make([]tf.Output, steps), make([]tf.Output, steps), make([]tf.Output, steps), make([]tf.Output, steps), make([]tf.Output, steps)
	c.cPrev, c.hPrev = make([]tf.Output, steps), make([]tf.Output, steps)
	hs := make([]tf.Output, steps)
	var h, cell tf.Output
	for t := range steps {
		cs := s.Sub("step")
		z := zxs[t] // x_t·kernel + b
		if t > 0 {  // the state starts at zero: h·recurrent_kernel is 0 at step 0
			z = op.AddV2(cs.Op("AddV2"), z, op.MatMul(cs.Op("MatMul"), h, c.recurrent))
		}
		gates := op.Split(cs.Op("Split"), cs.Const(int32(1)), z, 4)
		c.i[t] = op.Sigmoid(cs.Op("Sigmoid"), gates[0])
		c.f[t] = op.Sigmoid(cs.Op("Sigmoid"), gates[1])
		c.g[t] = op.Tanh(cs.Op("Tanh"), gates[2])
		c.o[t] = op.Sigmoid(cs.Op("Sigmoid"), gates[3])
		ig := op.Mul(cs.Op("Mul"), c.i[t], c.g[t])
		if t > 0 {
			c.cPrev[t], c.hPrev[t] = cell, h
			cell = op.AddV2(cs.Op("AddV2"), op.Mul(cs.Op("Mul"), c.f[t], cell), ig)
		} else {
			cell = ig
		}
		c.tc[t] = op.Tanh(cs.Op("Tanh"), cell)
		h = op.Mul(cs.Op("Mul"), c.o[t], c.tc[t])
		hs[t] = h
	}
	return []tf.Output{op.Pack(s.Op("Pack"), hs, op.PackAxis(0))}
}

// backward is backpropagation through time over the cells, given dH, the gradient of h of
// every step (the products with the input and the weights over all steps at once,
// hoistedProducts): per step, with dh = dH_t + the gradient from step t+1 and dc the cell
// state's,
//
//	do = dh·tanh(c)            dc += dh·o·(1−tanh²(c))
//	di = dc·g   dg = dc·i      df = dc·c_prev     (dc for step t−1: dc·f)
//	dz = [di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)]
//	dh_prev = dz·recurrent_kernelᵀ   dx_t = dz·kernelᵀ
//	dkernel += x_tᵀ·dz   drecurrent_kernel += h_prevᵀ·dz   db += Σ_batch dz
//
// (SigmoidGrad and TanhGrad compute the gate derivatives from the gates' outputs.) It
// returns the gradients of x, w (kernel and recurrent kernel concatenated) and b.
func (c *lstmCells) backward(s *Scope, dH tf.Output) []tf.Output {
	T := c.steps
	dHs := op.Unpack(s.Op("Unpack"), dH, int64(T), op.UnpackAxis(0))
	dzs := make([]tf.Output, T)
	var dhNext, dcNext tf.Output
	for t := T - 1; t >= 0; t-- {
		cs := s.Sub("step")
		dh := dHs[t]
		if t < T-1 {
			dh = op.AddV2(cs.Op("AddV2"), dh, dhNext)
		}
		do := op.Mul(cs.Op("Mul"), dh, c.tc[t])
		dc := op.TanhGrad(cs.Op("TanhGrad"), c.tc[t], op.Mul(cs.Op("Mul"), dh, c.o[t]))
		if t < T-1 {
			dc = op.AddV2(cs.Op("AddV2"), dc, dcNext)
		}
		di := op.Mul(cs.Op("Mul"), dc, c.g[t])
		dg := op.Mul(cs.Op("Mul"), dc, c.i[t])
		dzf := op.ZerosLike(cs.Op("ZerosLike"), dc) // step 0: c_prev is 0
		if t > 0 {
			dzf = op.SigmoidGrad(cs.Op("SigmoidGrad"), c.f[t], op.Mul(cs.Op("Mul"), dc, c.cPrev[t]))
			dcNext = op.Mul(cs.Op("Mul"), dc, c.f[t])
		}
		dzs[t] = op.ConcatV2(cs.Op("ConcatV2"), []tf.Output{
			op.SigmoidGrad(cs.Op("SigmoidGrad"), c.i[t], di),
			dzf,
			op.TanhGrad(cs.Op("TanhGrad"), c.g[t], dg),
			op.SigmoidGrad(cs.Op("SigmoidGrad"), c.o[t], do),
		}, cs.Const(int32(1)))
		if t > 0 {
			dhNext = op.MatMul(cs.Op("MatMul"), dzs[t], c.recurrent, op.MatMulTransposeB(true))
		}
	}
	if T > 1 { // the output step 0 starts from
		c.hPrev[0] = op.ZerosLike(s.Op("ZerosLike"), c.hPrev[1])
	}
	dx, dw, dZs := c.hoistedProducts(s, dzs, c.hPrev)
	dbs := make([]tf.Output, len(dZs))
	for i, dZ := range dZs {
		dbs[i] = op.BiasAddGrad(s.Op("BiasAddGrad"), dZ)
	}
	return []tf.Output{dx, dw, addN(s, dbs)}
}

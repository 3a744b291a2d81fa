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
// Every step multiplies its own input by the kernel, as Keras's cell does, instead of one
// MatMul over all steps, and the backward pass takes each step's dz to the input and the
// weights by its own MatMuls: measured on a 2-core AMD EPYC (Zen 3, AVX2) at imdb_tuned's
// shape (batch 512, 200 steps, 64 inputs, 64 units), hoisting these products out of the
// time loop (one MatMul each over [steps·batch, ·], forward and backward, this form and
// KernelLSTM alike) made a training step slower: its [steps·batch, 4·units] tensors cost
// memory traffic, allocation and peak memory, and the large products run alone where the
// small ones overlap the recurrence on the other inter-op thread
// (docs/results/fused_lstm.md, session 11).
func (s *Scope) UnrolledLSTM(x, w, b tf.Output, steps, units int) tf.Output {
	if !s.Ok(x, w, b) {
		return tf.Output{}
	}
	s.Graph().markUnrolled()
	var c lstmCells
	outs := s.Sub("unrolled_lstm").CustomGradient("UnrolledLSTM", []tf.Output{x, w, b},
		func(fs *Scope, in []tf.Output) []tf.Output { return c.forward(fs, in[0], in[1], in[2], steps, units) },
		func(gs *Scope, d []tf.Output) []tf.Output { return c.backward(gs, d[0]) })
	return outs[0]
}

// lstmCells holds what the forward pass of UnrolledLSTM keeps for its backward pass.
type lstmCells struct {
	steps, units      int
	xs                []tf.Output // the inputs of each step [batch, input]
	kernel, recurrent tf.Output
	i, f, g, o, tc    []tf.Output // the gates and tanh(c) of each step [batch, units]
	cPrev, hPrev      []tf.Output // the state each step starts from (nil: zeros, at step 0)
	inputs            int32
}

// forward emits the cells and returns h of every step, [steps, batch, units].
func (c *lstmCells) forward(s *Scope, x, w, b tf.Output, steps, units int) []tf.Output {
	c.steps, c.units = steps, units
	c.inputs = int32(x.Shape().Size(2))
	u4 := int32(4 * units)
	c.kernel = op.Slice(s.Op("Slice"), w, s.Const([]int32{0, 0}), s.Const([]int32{c.inputs, u4}))
	c.recurrent = op.Slice(s.Op("Slice"), w, s.Const([]int32{c.inputs, 0}), s.Const([]int32{int32(units), u4}))
	c.xs = op.Unpack(s.Op("Unpack"), x, int64(steps), op.UnpackAxis(0))
	c.i, c.f, c.g, c.o, c.tc = make([]tf.Output, steps), make([]tf.Output, steps), make([]tf.Output, steps), make([]tf.Output, steps), make([]tf.Output, steps)
	c.cPrev, c.hPrev = make([]tf.Output, steps), make([]tf.Output, steps)
	hs := make([]tf.Output, steps)
	var h, cell tf.Output
	for t := range steps {
		cs := s.Sub("step")
		z := op.MatMul(cs.Op("MatMul"), c.xs[t], c.kernel)
		if t > 0 { // the state starts at zero: h·recurrent_kernel is 0 at step 0
			z = op.AddV2(cs.Op("AddV2"), z, op.MatMul(cs.Op("MatMul"), h, c.recurrent))
		}
		z = cs.BiasAdd(z, b)
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
// every step: per step, with dh = dH_t + the gradient from step t+1 and dc the cell
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
	dxs := make([]tf.Output, T)
	var dKs, dRs, dbs []tf.Output
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
		dz := op.ConcatV2(cs.Op("ConcatV2"), []tf.Output{
			op.SigmoidGrad(cs.Op("SigmoidGrad"), c.i[t], di),
			dzf,
			op.TanhGrad(cs.Op("TanhGrad"), c.g[t], dg),
			op.SigmoidGrad(cs.Op("SigmoidGrad"), c.o[t], do),
		}, cs.Const(int32(1)))
		dxs[t] = op.MatMul(cs.Op("MatMul"), dz, c.kernel, op.MatMulTransposeB(true))
		dKs = append(dKs, op.MatMul(cs.Op("MatMul"), c.xs[t], dz, op.MatMulTransposeA(true)))
		dbs = append(dbs, op.BiasAddGrad(cs.Op("BiasAddGrad"), dz))
		if t > 0 {
			dhNext = op.MatMul(cs.Op("MatMul"), dz, c.recurrent, op.MatMulTransposeB(true))
			dRs = append(dRs, op.MatMul(cs.Op("MatMul"), c.hPrev[t], dz, op.MatMulTransposeA(true)))
		}
	}
	dx := op.Pack(s.Op("Pack"), dxs, op.PackAxis(0))
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

package graphs

import (
	"math"
	"os"
	"strconv"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// lstmChunkSteps is how many time steps one hoisted product covers: the environment's
// TFRUN_LSTM_CHUNK (an experiment's knob), else every step (one product each).
var lstmChunkSteps = func() int {
	if n, err := strconv.Atoi(os.Getenv("TFRUN_LSTM_CHUNK")); err == nil && n > 0 {
		return n
	}
	return math.MaxInt32
}()

// hoisted is the part of an unrolled LSTM that does not depend on the recurrence, shared
// by KernelLSTM and UnrolledLSTM: the products of the input with the kernel, and in the
// backward pass the input's, the kernel's and the recurrent kernel's gradients. Each is
// one MatMul over a chunk of lstmChunkSteps consecutive steps.
type hoisted struct {
	steps, units      int
	inputs            int32
	chunks            []int       // the steps of each chunk, in order
	xs                []tf.Output // the input of each chunk as one matrix [steps·batch, input]
	kernel, recurrent tf.Output
}

// project splits w into the kernel and the recurrent kernel and returns x_t·kernel + b for
// every step t, [batch, 4·units] each, computed by one MatMul (and one BiasAdd) a chunk;
// b.Op nil: no bias. x is time-major [steps, batch, input].
func (c *hoisted) project(s *Scope, x, w, b tf.Output, steps, units int) []tf.Output {
	c.steps, c.units = steps, units
	inputs := int32(x.Shape().Size(2))
	c.inputs = inputs
	u4 := int32(4 * units)
	c.kernel = op.Slice(s.Op("Slice"), w, s.Const([]int32{0, 0}), s.Const([]int32{inputs, u4}))
	c.recurrent = op.Slice(s.Op("Slice"), w, s.Const([]int32{inputs, 0}), s.Const([]int32{int32(units), u4}))
	c.chunks = nil
	for t := 0; t < steps; t += lstmChunkSteps {
		c.chunks = append(c.chunks, min(lstmChunkSteps, steps-t))
	}
	parts := []tf.Output{x}
	if len(c.chunks) > 1 {
		sizes := make([]int32, len(c.chunks))
		for i, n := range c.chunks {
			sizes[i] = int32(n)
		}
		parts = op.SplitV(s.Op("SplitV"), x, s.Const(sizes), s.Const(int32(0)), int64(len(sizes)))
	}
	c.xs = make([]tf.Output, len(parts))
	zxs := make([]tf.Output, 0, steps)
	for i, p := range parts {
		c.xs[i] = op.Reshape(s.Op("Reshape"), p, s.Const([]int32{-1, inputs}))
		zx := op.MatMul(s.Op("MatMul"), c.xs[i], c.kernel)
		if b.Op != nil {
			zx = op.BiasAdd(s.Op("BiasAdd"), zx, b)
		}
		if c.chunks[i] == 1 {
			zxs = append(zxs, zx)
			continue
		}
		zx = op.Reshape(s.Op("Reshape"), zx, s.Const([]int32{int32(c.chunks[i]), -1, u4}))
		zxs = append(zxs, op.Unpack(s.Op("Unpack"), zx, int64(c.chunks[i]), op.UnpackAxis(0))...)
	}
	return zxs
}

// hoistedProducts returns the gradients of x and of w (kernel and recurrent kernel
// concatenated) given dzs, the pre-activations' gradient of every step [batch, 4·units],
// and hPrev, the output each step starts from (zeros at step 0; unused with one step):
// with a chunk's dz, x and h_prev stacked into [steps·batch, ·] matrices dZ, X, H_prev,
//
//	dX = dZ·kernelᵀ   dkernel = Σ Xᵀ·dZ   drecurrent_kernel = Σ H_prevᵀ·dZ
//
// It returns the chunks' dZ too (the bias gradient is their column sums).
func (c *hoisted) hoistedProducts(s *Scope, dzs, hPrev []tf.Output) (dx, dw tf.Output, dZs []tf.Output) {
	u4 := int32(4 * c.units)
	stack := func(ts []tf.Output, cols int32) tf.Output {
		if len(ts) == 1 {
			return ts[0]
		}
		return op.Reshape(s.Op("Reshape"), op.Pack(s.Op("Pack"), ts, op.PackAxis(0)), s.Const([]int32{-1, cols}))
	}
	dxs := make([]tf.Output, len(c.chunks))
	var dKs, dRs []tf.Output
	// The last chunk first: its dz are ready first.
	for i, t := len(c.chunks)-1, c.steps; i >= 0; i-- {
		n := c.chunks[i]
		t -= n
		dZ := stack(dzs[t:t+n], u4)
		dZs = append(dZs, dZ)
		dxs[i] = op.MatMul(s.Op("MatMul"), dZ, c.kernel, op.MatMulTransposeB(true))
		dKs = append(dKs, op.MatMul(s.Op("MatMul"), c.xs[i], dZ, op.MatMulTransposeA(true)))
		if c.steps > 1 {
			H := stack(hPrev[t:t+n], int32(c.units))
			dRs = append(dRs, op.MatMul(s.Op("MatMul"), H, dZ, op.MatMulTransposeA(true)))
		}
	}
	dx = dxs[0]
	if len(dxs) > 1 {
		dx = op.ConcatV2(s.Op("ConcatV2"), dxs, s.Const(int32(0)))
	}
	dx = op.Reshape(s.Op("Reshape"), dx, s.Const([]int32{int32(c.steps), -1, c.inputs}))
	var dR tf.Output
	if len(dRs) > 0 {
		dR = addN(s, dRs)
	} else { // one step: the recurrent kernel is never used
		dR = op.ZerosLike(s.Op("ZerosLike"), c.recurrent)
	}
	dw = op.ConcatV2(s.Op("ConcatV2"), []tf.Output{addN(s, dKs), dR}, s.Const(int32(0)))
	return dx, dw, dZs
}

// addN is AddN, or its one input.
func addN(s *Scope, ts []tf.Output) tf.Output {
	if len(ts) == 1 {
		return ts[0]
	}
	return op.AddN(s.Op("AddN"), ts)
}

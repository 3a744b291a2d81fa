package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// BlockLSTM runs a Keras LSTM (tanh activation, sigmoid recurrent activation, gate order
// i, f, c, o, no peepholes, no cell clipping, zero initial state) over the time-major
// sequence x [time, batch, input] with TensorFlow's fused BlockLSTMV2 kernel, and returns
// every step's output h [time, batch, units]. w is concat(kernel, recurrent_kernel) along
// axis 0, [input+units, 4·units]; b is the bias [4·units]. The kernel exists for float32.
//
// TensorFlow registers no gradient for BlockLSTMV2; the backward pass is its
// BlockLSTMGradV2 kernel, wired through CustomGradient.
func (s *Scope) BlockLSTM(x, w, b tf.Output, units int) tf.Output {
	if !s.Ok(x, w, b) {
		return tf.Output{}
	}
	ls := s.Sub("block_lstm")
	var fwd [7]tf.Output // i, cs, f, o, ci, co, h
	var seqLen, zeros, peep, xc, wc, bc tf.Output
	outs := ls.CustomGradient("BlockLSTMV2", []tf.Output{x, w, b},
		func(cs *Scope, in []tf.Output) []tf.Output {
			x, w, b := in[0], in[1], in[2]
			xc, wc, bc = x, w, b
			shape := op.Shape(cs.Op("Shape"), x, op.ShapeOutType(tf.Int64))
			seqLen = op.StridedSlice(cs.Op("StridedSlice"), shape, cs.Const([]int64{0}), cs.Const([]int64{1}), cs.Const([]int64{1}),
				op.StridedSliceShrinkAxisMask(1))
			batch := op.StridedSlice(cs.Op("StridedSlice"), shape, cs.Const([]int64{1}), cs.Const([]int64{2}), cs.Const([]int64{1}))
			dims := op.ConcatV2(cs.Op("ConcatV2"), []tf.Output{batch, cs.Const([]int64{int64(units)})}, cs.Const(int32(0)))
			zero := op.Cast(cs.Op("Cast"), cs.Const(float32(0)), s.g.dtype)
			zeros = op.Fill(cs.Op("Fill"), dims, zero)
			peep = op.Fill(cs.Op("Fill"), cs.Const([]int64{int64(units)}), zero)
			i, c, f, o, ci, co, h := op.BlockLSTMV2(cs.Op("BlockLSTMV2"), seqLen, x, zeros, zeros, w, peep, peep, peep, b,
				op.BlockLSTMV2CellClip(0), op.BlockLSTMV2UsePeephole(false))
			fwd = [7]tf.Output{i, c, f, o, ci, co, h}
			return []tf.Output{h}
		},
		func(gs *Scope, d []tf.Output) []tf.Output {
			csGrad := op.ZerosLike(gs.Op("ZerosLike"), fwd[1])
			xg, _, _, wg, _, _, _, bg := op.BlockLSTMGradV2(gs.Op("BlockLSTMGradV2"), seqLen, xc, zeros, zeros, wc, peep, peep, peep, bc,
				fwd[0], fwd[1], fwd[2], fwd[3], fwd[4], fwd[5], fwd[6], csGrad, d[0], false)
			return []tf.Output{xg, wg, bg}
		})
	return outs[0]
}

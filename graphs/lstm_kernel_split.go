package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// KernelLSTMSplit computes what KernelLSTM computes as parts independent recurrences, each
// KernelLSTM's cells over a slice of the batch (the rows of an LSTM never mix): h is the
// slices' h concatenated along the batch, the input's gradient likewise, and the weights'
// and bias's gradients the sum of the slices'. Each slice's time loop is its own chain of
// ops, so a session with an inter-op thread per core runs parts recurrences at once,
// where KernelLSTM's one chain (a MatMul and a cell op per step, forward and backward)
// keeps one core busy and leaves the other the off-chain products only. The slices are
// as equal as the batch allows (the last takes the remainder; a batch smaller than parts
// leaves some empty), sized when the graph runs, so any batch size works. x is time-major
// [steps, batch, input], w and b as for KernelLSTM, the result [steps, batch, units]; with
// parts < 2 it is KernelLSTM.
func (s *Scope) KernelLSTMSplit(x, w, b tf.Output, steps, units, parts int) tf.Output {
	if parts < 2 {
		return s.KernelLSTM(x, w, b, steps, units)
	}
	if !s.Ok(x, w, b) {
		return tf.Output{}
	}
	cells := make([]kernelCells, parts)
	var sizes tf.Output
	outs := s.Sub("kernel_lstm_split").CustomGradient("KernelLSTMSplit", []tf.Output{x, w, b},
		func(fs *Scope, in []tf.Output) []tf.Output {
			sizes = batchSplits(fs, in[0], parts)
			xs := op.SplitV(fs.Op("SplitV"), in[0], sizes, fs.Const(int32(1)), int64(parts))
			hs := make([]tf.Output, parts)
			for i := range parts {
				hs[i] = cells[i].forward(fs.Sub(fmt.Sprintf("part%d", i)), xs[i], in[1], in[2], steps, units)[0]
				if !fs.Ok() {
					return []tf.Output{{}}
				}
			}
			return []tf.Output{op.ConcatV2(fs.Op("ConcatV2"), hs, fs.Const(int32(1)))}
		},
		func(gs *Scope, d []tf.Output) []tf.Output {
			dHs := op.SplitV(gs.Op("SplitV"), d[0], sizes, gs.Const(int32(1)), int64(parts))
			dxs := make([]tf.Output, parts)
			var dws, dbs []tf.Output
			for i := range parts {
				g := cells[i].backward(gs.Sub(fmt.Sprintf("part%d", i)), dHs[i])
				if !gs.Ok() {
					return make([]tf.Output, 3)
				}
				dxs[i] = g[0]
				dws, dbs = append(dws, g[1]), append(dbs, g[2])
			}
			return []tf.Output{op.ConcatV2(gs.Op("ConcatV2"), dxs, gs.Const(int32(1))),
				op.AddN(gs.Op("AddN"), dws), op.AddN(gs.Op("AddN"), dbs)}
		})
	return outs[0]
}

// batchSplits is the SplitV sizes that cut x's batch (axis 1) into parts slices: batch/parts
// rows each, the last one the rest.
func batchSplits(s *Scope, x tf.Output, parts int) tf.Output {
	batch := op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32)), s.Const([]int32{1}), s.Const([]int32{1}))
	each := op.FloorDiv(s.Op("FloorDiv"), batch, s.Const([]int32{int32(parts)}))
	rest := op.Sub(s.Op("Sub"), batch, op.Mul(s.Op("Mul"), each, s.Const([]int32{int32(parts - 1)})))
	sizes := make([]tf.Output, parts)
	for i := range parts - 1 {
		sizes[i] = each
	}
	sizes[parts-1] = rest
	return op.ConcatV2(s.Op("ConcatV2"), sizes, s.Const(int32(0)))
}

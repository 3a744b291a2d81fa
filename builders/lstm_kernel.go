package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// LSTMCellKernel is the LSTM implementation that unrolls the cell as LSTMUnrolled does,
// each step's element-wise part in one op of tfrun's own CPU kernels (graphs.KernelLSTM,
// package graphs/lstmkernel) and the matrix products in TensorFlow's MatMul. It computes
// the same function as the others, in float32 and bfloat16. A graph with it runs only in
// a tfrun process: exports use LSTMFused.
const LSTMCellKernel = "cell_kernel"

// LSTMCellKernelSplit is LSTMCellKernel with the batch split in two halves (the first one
// row longer when the batch is odd), each its own recurrence; the outputs are
// concatenated back. The rows of a batch never meet in an LSTM, so it computes the same
// function; the weights' gradients are summed over the halves, so not in the same order.
//
// An unrolled LSTM is a chain of small ops, one step after the other. Forward, each step
// waits for the last one's h·recurrent_kernel and cell op, and the second inter-op thread
// has only the steps' x·kernel to run beside them. Two chains of half the batch keep both
// busy. Measured on a 2-core AMD EPYC (Zen 5) with imdb_tuned's LSTM (batch 512, 64
// inputs, 64 units), session 18: autotuning's 40-step probe of the layer took 14.4 ms
// against cell_kernel's 20.7 in float32 and 10.4 against 13.1 in bfloat16; the whole
// model's training step, binaries alternating, was 1.05–1.13× faster in float32, and
// under mixed_bfloat16 1.08–1.09× in one comparison and within the noise in another
// (docs/results/fused_lstm.md). On a 2-core Zen 3 under load (session 11) it was no
// faster. Only measuring chooses it.
const LSTMCellKernelSplit = "cell_kernel_split"

// LSTMImplementationWithKernels is LSTMImplementationFor when tfrun's own kernels may be
// used: LSTMCellKernel where LSTMImplementationFor picks the unrolled cell (batches above
// LSTMFusedMaxBatch). Measured with BenchmarkLSTMStep (graphs/lstmkernel) at imdb_tuned's
// shapes on a 2-core AMD EPYC (Zen 3) shared with other jobs: a training step of the layer
// alone took 0.99 s with the cell kernels against 1.45 s unrolled and 1.45 s with
// BlockLSTMV2, in float32.
func LSTMImplementationWithKernels(batchSize int) string {
	if impl := LSTMImplementationFor(batchSize); impl != LSTMUnrolled {
		return impl
	}
	return LSTMCellKernel
}

// lstmKernelOp is lstmOp with LSTMCellKernel.
func lstmKernelOp(s *graphs.Scope, x, kernel, recurrent, bias tf.Output, steps, units int, sequences bool) tf.Output {
	if err := lstmkernel.Register(); err != nil {
		s.Fail("%s: %w", s.Path(), err)
		return tf.Output{}
	}
	w := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{kernel, recurrent}, s.Const(int32(0)))
	return s.KernelLSTM(x, w, bias, steps, units, sequences)
}

// lstmKernelSplitOp is lstmOp with LSTMCellKernelSplit: lstmKernelOp on each half of the
// batch. The halves' sizes are computed when the step runs (a batch's size is not known
// when the graph is built); a batch of one leaves the second half empty.
func lstmKernelSplitOp(s *graphs.Scope, x, kernel, recurrent, bias tf.Output, steps, units int, sequences bool) tf.Output {
	batch := op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), x), s.Const([]int32{0}), s.Const([]int32{1}))
	first := op.FloorDiv(s.Op("FloorDiv"), op.AddV2(s.Op("AddV2"), batch, s.Const([]int32{1})), s.Const([]int32{2}))
	sizes := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{first, s.Const([]int32{-1})}, s.Const(int32(0)))
	halves := op.SplitV(s.Op("SplitV"), x, sizes, s.Const(int32(0)), 2)
	if !s.Ok() {
		return tf.Output{}
	}
	hs := make([]tf.Output, len(halves))
	for i, half := range halves {
		hs[i] = lstmKernelOp(s.Sub("half"), half, kernel, recurrent, bias, steps, units, sequences)
	}
	if !s.Ok() {
		return tf.Output{}
	}
	return op.ConcatV2(s.Op("ConcatV2"), hs, s.Const(int32(0)))
}

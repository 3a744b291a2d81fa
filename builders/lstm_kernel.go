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

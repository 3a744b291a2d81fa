package builders

import (
	"runtime"
	"slices"

	"github.com/tfrun/tfrun/graphs"
)

// LSTMCellKernelSplit is LSTMCellKernel computed as LSTMSplitParts independent recurrences,
// each over its slice of the batch (graphs.KernelLSTMSplit): the same function, the
// slices' weight gradients summed. An unrolled LSTM runs with one intra-op thread and an
// inter-op thread per core (classifier's session threads), so LSTMCellKernel's one chain
// of per-step ops, forward and backward, keeps one core busy; split, each core can run a
// chain. It is a candidate only where that can pay (LSTMSplitCandidate) and is chosen by
// measuring like the other forms, never by a fixed rule. Like LSTMCellKernel it runs only
// in a tfrun process: exports use LSTMFused.
const LSTMCellKernelSplit = "cell_kernel_split"

// LSTMSplitParts is how many recurrences LSTMCellKernelSplit runs: fixed, so that a
// checkpoint's recorded form computes the same on any machine (its gradients sum the
// slices' in a fixed order). Two is the number of cores of the machine it was written on;
// on a larger one the other cores still get the off-chain products.
const LSTMSplitParts = 2

// LSTMSplitMinRows is the smallest slice of the batch LSTMCellKernelSplit is a candidate
// for: below it a step's products are too small for a second chain to gain anything over
// its ops' overhead.
const LSTMSplitMinRows = 16

// LSTMSplitCandidate reports whether LSTMCellKernelSplit is worth measuring for a batch
// of batch rows run with session's thread pools: at least LSTMSplitMinRows rows in each
// of the LSTMSplitParts slices, and more than one inter-op thread to run the chains on
// (0: TensorFlow's choice, a thread per core).
func LSTMSplitCandidate(batch int64, session graphs.SessionOptions) bool {
	inter := session.InterOpThreads
	if inter == 0 {
		inter = runtime.NumCPU()
	}
	return inter >= 2 && batch >= LSTMSplitParts*LSTMSplitMinRows
}

// withSplitForms adds to forms, the candidates of an LSTM (LSTMCandidates or
// LSTMMixedCandidates), the split twin of each cell_kernel form in it: the split form
// needs tfrun's kernels too. The caller checks LSTMSplitCandidate.
func withSplitForms(forms []string) []string {
	out := slices.Clone(forms)
	for _, f := range forms {
		switch f {
		case LSTMCellKernel:
			out = append(out, LSTMCellKernelSplit)
		case LSTMCellKernelBFloat16:
			out = append(out, LSTMCellKernelSplitBFloat16)
		}
	}
	return out
}

package classifier

import (
	"runtime"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs"
)

// sessionThreads sizes a classifier's TensorFlow thread pools. threads > 0 is the user's
// -threads: that many intra-op threads (at most two inter-op), as graphs.StartSession.
// With threads 0 TensorFlow chooses (a thread per core for each pool, as in Keras),
// except for a model with an unrolled LSTM (builders.LSTMUnrolled, picked for large
// batches): its graph is thousands of small ops, many of them independent (each step's
// input projection, its weight gradients), so it runs each op on one thread and as many
// ops at once as there are cores. Measured with bench/cmd/tfrun-bench on imdb_tuned
// (batch 512) on a 2-core AMD EPYC (Zen 3): 1,327–1,405 examples/s with one intra-op and
// two inter-op threads, 1,108 with TensorFlow's choice, 765 with two intra-op threads
// and one inter-op; the fused-kernel and convolutional models were slower that way
// (imdb_cnn_lstm 1,046 vs 1,332, dcgan_mnist 133 vs 169), so they keep TensorFlow's choice.
// On a platform with a GPU, where that measurement says nothing (and chooseLSTMs leaves
// LSTMs fused), TensorFlow chooses.
func sessionThreads(layers []builders.Layer, threads int, p graphs.Platform) graphs.SessionOptions {
	if threads > 0 {
		return graphs.SessionOptions{IntraOpThreads: threads, InterOpThreads: min(threads, 2)}
	}
	if !p.GPU() && hasUnrolledLSTM(layers) {
		return graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: runtime.NumCPU()}
	}
	return graphs.SessionOptions{}
}

// hasUnrolledLSTM reports whether any of layers (a Bidirectional's included) is an LSTM
// built unrolled (with TensorFlow's ops or tfrun's cell kernels, in either type).
func hasUnrolledLSTM(layers []builders.Layer) bool {
	for _, l := range layers {
		if b, ok := l.(*builders.Bidirectional); ok {
			l = b.Layer
		}
		if lstm, ok := l.(*builders.LSTM); ok && builders.LSTMUnrolledForm(lstm.Form()) {
			return true
		}
	}
	return false
}

// lstmSession is the thread pools sessionThreads gives a model whose LSTMs are all built
// in form: what autotuning times each form with.
func lstmSession(form string, threads int, p graphs.Platform) graphs.SessionOptions {
	l := builders.NewLSTM("lstm", 1)
	l.Implementation = form
	return sessionThreads([]builders.Layer{l}, threads, p)
}

// chooseLSTMs gives every LSTM its implementation for the run's batch size on platform p:
// a resumed run's recorded ones (kernelChoice); otherwise on a CPU the faster one measured
// there (assemble.ChooseLSTMImplementations: the unrolled cell above
// builders.LSTMFusedMaxBatch, with tfrun's cell kernels unless lstmkernel.EnvVar turns
// them off); on a GPU TensorFlow's fused BlockLSTMV2, which has GPU kernels, where an
// unrolled cell would be thousands of small kernel launches (an LSTM left at "" is fused
// in float32). A config's explicit implementation is kept.
func chooseLSTMs(layers []builders.Layer, batchSize int, p graphs.Platform, k kernelChoice) error {
	if p.GPU() && k.forms == nil {
		return nil
	}
	return k.apply(layers, batchSize)
}

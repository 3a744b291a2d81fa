package graphs

// GrapplerMaxOps is the largest graph, in operations, that a Session hands to grappler,
// TensorFlow's graph optimizer (ConfigProto.graph_options.rewrite_options); a larger graph
// runs as built (RewriterConfig.disable_meta_optimizer). Grappler's passes cost time in
// proportion to the graph before the first step and paid nothing back on tfrun's large
// graphs, measured with one intra-op thread on a 2-core AMD EPYC (Zen 3), CPU seconds:
//
//   - imdb_tuned (10,759 operations: a 200-step unrolled LSTM and its written-out
//     backward): first step 5.1 s with grappler, 1.1 s without; a training step
//     0.46–0.53 s either way; peak RSS 745 vs 810 MiB.
//   - dcgan_mnist (2,706 operations): the whole 4-step run 11.9 and 11.4 s with grappler,
//     11.7 and 11.5 s without.
//
// The shipped models other than imdb_tuned stay under it (imdb_lstm 527 operations,
// imdb_cnn_lstm 672, the DCGANs 2,706) and keep grappler. TensorFlow's oneDNN graph
// rewrite is not a grappler pass and runs either way. On a GPU no graph goes without
// grappler (see grapplerOff).
//
// A graph with an LSTM unrolled over its steps (UnrolledLSTM, KernelLSTM) runs without
// grappler whatever its size: since tfrun's cell kernels such graphs are smaller (2,665
// operations for imdb_tuned's cell_kernel, 4,974 with the batch split) and fell under the
// cut-off, and grappler still paid nothing back on them. Measured on a 2-core AMD EPYC
// (Zen 5), tfrun-bench, session 18: imdb_tuned's first step 0.98 s with grappler against
// 0.37 s without (cell_kernel), 1.96 against 0.48 s (cell_kernel_split), its steps 87–102
// ms either way; imdb_lstm's (batch 32, cell_kernel, 1,299 operations) 0.34–0.36 s against
// 0.13 s, its steps 2.5–2.8 ms either way.
const GrapplerMaxOps = 5000

// grapplerOff reports whether g's sessions run without grappler, on a platform without a
// GPU: more than GrapplerMaxOps operations, or a recurrence unrolled over its steps
// (markUnrolled). Both were measured on a CPU; on a GPU, grappler's passes (layout,
// remapping, arithmetic) serve TensorFlow's GPU kernels and stay on.
func grapplerOff(g *Graph) bool {
	return !g.platform.GPU() && (g.unrolled || len(g.tfg.Operations()) > GrapplerMaxOps)
}

// markUnrolled records that g holds a recurrence unrolled over its steps: thousands of
// small ops that grappler's passes take time over and gain nothing on (GrapplerMaxOps).
func (g *Graph) markUnrolled() { g.unrolled = true }

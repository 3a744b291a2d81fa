// Package runner trains models: Keras's fit loop (epochs, batches, shuffling, validation,
// callbacks, progress bars, history) over graphs built by package builders, and the files
// a run writes (summary, history, learning curves, metrics).
package runner

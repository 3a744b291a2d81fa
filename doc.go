// Package tfrun is tfrun as a Go library: Keras's Model API (Sequential, Compile, Fit,
// Evaluate, Predict, Summary) over TensorFlow 2.18's C API, with the layers, losses,
// optimizers, callbacks and training loop the tfrun command runs from YAML configs.
//
// A model is built from package layers' layers, compiled with options, and fitted on
// arrays in memory:
//
//	m, err := tfrun.Sequential(
//		layers.Dense(16, layers.Activation("relu")),
//		layers.Dense(1, layers.Activation("sigmoid")),
//	)
//	err = m.Compile(tfrun.Loss("binary_crossentropy"), tfrun.Optimizer("adam"), tfrun.Metrics("accuracy"))
//	h, err := m.Fit(ctx, tfrun.Data{X: x, Y: y}, tfrun.Epochs(10), tfrun.BatchSize(32))
//
// Fit also takes batches a Go iterator yields (Data.Batches, FromIterator: Keras's fit on
// a generator), fed to the same loop.
//
// Every call goes through the pieces the command uses (configs, assemble, classifier,
// runner): a model's definition is a configs.Model, the YAML's model section; Compile
// builds the classifier a config's train section describes; Fit is runner's loop, with its
// callbacks, checkpoints and the run directory's files (RunDir). Names and defaults are
// Keras's, spelled as in YAML. docs/guide/go_api.md is the guide.
//
// The package links TensorFlow's C library through cgo: see docs/guide/libtensorflow.md
// for the flags a build needs.
package tfrun

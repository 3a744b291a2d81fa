// Package importer turns a Keras model file into a tfrun run directory (tfrun import): the
// model's config as <dir>/<name>.yaml and its weights as a TensorFlow checkpoint in
// <dir>/checkpoints/, so that tfrun predict and tfrun export -run <dir> serve it as they
// serve a trained run.
//
// Package kerasfile reads the file; importer compiles the model as training would
// (classifier.FromConfig), assigns Keras's weights to tfrun's variables by layer name,
// checking every shape, and saves the checkpoint with the config's fingerprint.
package importer

// Package kerasfile reads models saved by Keras: a Keras 3 .keras file (a zip of
// config.json, metadata.json and model.weights.h5) and, for the architecture, Keras 2's
// legacy .h5 file. It turns the model's Keras config into tfrun's model config (configs.Model,
// Sequential or functional, with Keras's layer names, arguments and input shapes) and
// reads its weights, by layer name in Keras's order.
//
// It needs no TensorFlow: package importer writes a run directory (a config and a
// TensorFlow checkpoint) from what Load returns, and a run may start from the weights.
//
// Everything tfrun cannot represent — a layer class it lacks, an argument it does not take,
// a value it does not implement — is collected, not stopped at: Load returns an error
// wrapping ErrUnsupported that lists every problem of the file, each naming the layer, its
// class and the argument. A file that is not what it claims (a bad zip, no config.json, a
// truncated HDF5 file) is an error wrapping ErrFormat.
package kerasfile

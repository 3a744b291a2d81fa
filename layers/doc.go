// Package layers makes Keras layers for tfrun's Go API (package tfrun): Dense,
// Embedding, LSTM, Conv2D ... with Keras's arguments and defaults, and New for any type of
// tfrun's layer registry by its Keras class name, so every layer a YAML config can name is
// available from Go the day it is registered.
//
// A layer is a configs.Layer, the type a config's model.layers decodes into: the Go API and
// the YAML describe one model. The package needs no TensorFlow; package tfrun builds the
// layers' weights and ops.
//
//	layers.Dense(16, layers.Activation("relu"))
//	layers.New("Conv2D", layers.Arg("filters", 8), layers.Arg("kernel_size", 3))
//
// A wrong argument (an unknown key, a value of the wrong type or out of range) is kept
// in the Layer and reported by Err, and by tfrun.Sequential, naming the layer and the key.
package layers

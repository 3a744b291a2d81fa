// Package builders holds tfrun's layers and models: Keras's layers (same names, arguments,
// defaults, weight names and layouts) emitting TensorFlow ops through package graphs, and
// the Sequential model that stacks them.
//
// Every layer has the same shape: a struct whose fields are Keras's arguments, Build (create
// the variables for an input shape, return the output shape) and Call (emit the ops for
// training or inference).
package builders

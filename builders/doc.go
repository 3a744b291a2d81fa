// Package builders holds tfrun's layers and models: Keras's layers (same names, arguments,
// defaults, weight names and layouts) emitting TensorFlow ops through package graphs, the
// Sequential model that stacks them, and the Functional model (Keras's functional API)
// that calls them on named tensors, merge layers (MergeLayer: Add, Concatenate, Dot ...)
// joining several. Both are a Model, what a classifier trains.
//
// Every layer has the same shape: a struct whose fields are Keras's arguments, Build (create
// the variables for an input shape, return the output shape) and Call (emit the ops for
// training or inference).
//
// Each layer's file also registers, in init, how a config layer of its type becomes it
// (FromConfig): the TensorFlow half of the layer registry whose TensorFlow-free half,
// each type's arguments, defaults, validation and shape rule, is configs.LayerSpec (see
// package configs). Adding a layer type is configs/layer_<name>.go plus the layer's file
// here, each with its test; assemble's tests build every registered type with every
// argument value configs accepts.
package builders

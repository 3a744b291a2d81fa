// Package graphs is tfrun's graph core: it builds TensorFlow graphs through the C API
// (graft), names ops without collisions, holds resource variables with Keras's
// initializers, differentiates a loss with respect to variables (the GradientTape
// equivalent, including ops TensorFlow's C++ gradient registry lacks), emits the LSTM
// and the convolutions in the forms that run fastest on a CPU (conv.go: transposed
// convolutions and convolution gradients as plain Conv2Ds), applies the optimizers, and
// runs the result in a session.
//
// Everything here sits directly on graft; builders (layers and models) sit on this package.
package graphs

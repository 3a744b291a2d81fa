// Package plots draws what a training run leaves behind for a human to look
// at: learning curves (accuracy and loss per epoch, train against
// validation), GAN generator/discriminator losses, grids of generated images
// and animated GIFs of those grids over training.
//
// It is pure Go: it draws with gonum.org/v1/plot and the standard image
// packages, and never imports TensorFlow or cgo, so tools that only read a
// run's history can use it without libtensorflow.
//
// Every function that writes a file writes it atomically (temporary file in
// the same directory, fsync, rename), so a reader never sees half a PNG and a
// failed write never destroys the previous good file.
package plots

import "errors"

// ErrInvalidArgument is wrapped by every error caused by a bad argument (a
// length that does not match a shape, an unsupported channel count, ...), as
// opposed to an I/O or encoding failure. Test with errors.Is.
var ErrInvalidArgument = errors.New("plots: invalid argument")

// Package assemble turns a run config's descriptions into the objects that build a graph:
// config layers into builders' layers (with Keras's default names), config optimizers into
// graphs' optimizers. A config that describes something these cannot build is reported as
// ErrModelConfig, a config error.
package assemble

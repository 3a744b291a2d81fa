// Package assemble turns a run config's descriptions into the objects that build a graph:
// config layers into builders' layers (builders.FromConfig, with Keras's default names;
// a wrapper's layer first), config optimizers into graphs' optimizers. A config that
// describes something these cannot build is reported as ErrModelConfig, a config error.
//
// Its tests walk the layer registry: every layer type configs registers is built, with
// every argument value configs accepts, and run, checking that the shapes configs infers
// at load time are the ones the layers build. A config that loads therefore builds.
package assemble

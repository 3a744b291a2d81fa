package tfrun

import (
	"fmt"

	"github.com/tfrun/tfrun/layers"
)

// Functional returns a model of Keras's functional API, keras.Model(inputs, outputs): the
// layer calls (Layer.On) from the input nodes (layers.Input) to the outputs. Its definition
// is the model section a YAML config with model.inputs and call describes, checked as
// configs checks one (every name known, no cycle, every layer reaching an output; one
// input and one output for now); the first error a call met is returned.
func Functional(inputs, outputs []layers.Node) (*Model, error) {
	def, err := layers.Graph(inputs, outputs)
	if err != nil {
		return nil, err
	}
	if _, err := def.Graph(); err != nil {
		return nil, fmt.Errorf("functional model: %w", err)
	}
	return &Model{name: "functional", def: def}, nil
}

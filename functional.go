package tfrun

import (
	"fmt"

	"github.com/tfrun/tfrun/layers"
)

// Functional returns a model of Keras's functional API, keras.Model(inputs, outputs): the
// layer calls (Layer.On) from the input nodes (layers.Input) to the outputs. Its definition
// is the model section a YAML config with model.inputs and call describes, checked as
// configs checks one (every name known, no cycle, every layer reaching an output); the
// first error a call met is returned. A model of several inputs or outputs takes its data
// by name (Data.Inputs, Data.Outputs) and compiles a loss per output (OutputLoss,
// LossWeights, OutputMetrics).
func Functional(inputs, outputs []layers.Node) (*Model, error) {
	def, err := layers.Graph(inputs, outputs)
	if err != nil {
		return nil, err
	}
	if len(def.Inputs) > 1 || len(def.Outputs) > 1 {
		def.FeedByName() // Data.Inputs and Data.Outputs feed it
	}
	if _, err := def.Graph(); err != nil {
		return nil, fmt.Errorf("functional model: %w", err)
	}
	return &Model{name: "functional", def: def}, nil
}

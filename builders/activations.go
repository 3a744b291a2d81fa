package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Activations are Keras's activation names tfrun knows.
var Activations = []string{"linear", "relu", "sigmoid", "softmax", "tanh", "leaky_relu"}

// checkActivation reports an unknown activation name.
func checkActivation(name string) error {
	if name == "" {
		return nil
	}
	for _, a := range Activations {
		if a == name {
			return nil
		}
	}
	return fmt.Errorf("unknown activation %q (valid: %v)", name, Activations)
}

// activate applies a Keras activation ("" and "linear" are the identity). Keras's
// leaky_relu activation uses negative_slope 0.2.
func activate(s *graphs.Scope, name string, x tf.Output) tf.Output {
	switch name {
	case "", "linear":
		return x
	case "relu":
		return op.Relu(s.Op("Relu"), x)
	case "sigmoid":
		return op.Sigmoid(s.Op("Sigmoid"), x)
	case "tanh":
		return op.Tanh(s.Op("Tanh"), x)
	case "softmax":
		return op.Softmax(s.Op("Softmax"), x)
	case "leaky_relu":
		return op.LeakyRelu(s.Op("LeakyRelu"), x, op.LeakyReluAlpha(0.2))
	}
	s.Fail("unknown activation %q", name)
	return x
}

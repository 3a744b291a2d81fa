package builders

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerActivation, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewActivation(name, c.String("activation")), nil
	})
}

// Activation is Keras's Activation layer: an activation function alone, shape unchanged.
type Activation struct {
	base
	Activation string
}

// NewActivation returns an Activation layer.
func NewActivation(name, activation string) *Activation {
	return &Activation{base: base{name: name}, Activation: activation}
}

func (a *Activation) Type() string { return "Activation" }

func (a *Activation) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if err := checkActivation(a.Activation); err != nil {
		return nil, err
	}
	a.begin(s)
	return in, nil
}

func (a *Activation) Call(x tf.Output, training bool) tf.Output {
	return activate(a.scope, a.Activation, x)
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerSubtract, func(_ *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewSubtract(name), nil
	})
}

// Subtract is Keras's Subtract: its first input minus its second (a merge layer; see elementwise for the broadcasting).
type Subtract struct{ elementwise }

// NewSubtract returns a Subtract layer.
func NewSubtract(name string) *Subtract {
	return &Subtract{elementwise{base: base{name: name}, typ: "Subtract", min: 2, max: 2,
		combine: func(s *graphs.Scope, a, b tf.Output) tf.Output { return op.Sub(s.Op("Sub"), a, b) }}}
}

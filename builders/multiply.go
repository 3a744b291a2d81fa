package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerMultiply, func(_ *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewMultiply(name), nil
	})
}

// Multiply is Keras's Multiply: the element-wise product of its inputs (a merge layer; see elementwise for the broadcasting).
type Multiply struct{ elementwise }

// NewMultiply returns a Multiply layer.
func NewMultiply(name string) *Multiply {
	return &Multiply{elementwise{base: base{name: name}, typ: "Multiply", min: 1, max: 0,
		combine: func(s *graphs.Scope, a, b tf.Output) tf.Output { return op.Mul(s.Op("Mul"), a, b) }}}
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerMinimum, func(_ *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewMinimum(name), nil
	})
}

// Minimum is Keras's Minimum: the element-wise minimum of its inputs (a merge layer; see elementwise for the broadcasting).
type Minimum struct{ elementwise }

// NewMinimum returns a Minimum layer.
func NewMinimum(name string) *Minimum {
	return &Minimum{elementwise{base: base{name: name}, typ: "Minimum", min: 1, max: 0,
		combine: func(s *graphs.Scope, a, b tf.Output) tf.Output { return op.Minimum(s.Op("Minimum"), a, b) }}}
}

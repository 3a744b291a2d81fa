package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerMaximum, func(_ *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewMaximum(name), nil
	})
}

// Maximum is Keras's Maximum: the element-wise maximum of its inputs (a merge layer; see elementwise for the broadcasting).
type Maximum struct{ elementwise }

// NewMaximum returns a Maximum layer.
func NewMaximum(name string) *Maximum {
	return &Maximum{elementwise{base: base{name: name}, typ: "Maximum", min: 1, max: 0,
		combine: func(s *graphs.Scope, a, b tf.Output) tf.Output { return op.Maximum(s.Op("Maximum"), a, b) }}}
}

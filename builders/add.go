package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerAdd, func(_ *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewAdd(name), nil
	})
}

// Add is Keras's Add: the sum of its inputs (a merge layer; see elementwise for the broadcasting).
type Add struct{ elementwise }

// NewAdd returns a Add layer.
func NewAdd(name string) *Add {
	return &Add{elementwise{base: base{name: name}, typ: "Add", min: 1, max: 0,
		combine: func(s *graphs.Scope, a, b tf.Output) tf.Output { return op.AddV2(s.Op("AddV2"), a, b) }}}
}

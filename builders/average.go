package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerAverage, func(_ *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewAverage(name), nil
	})
}

// Average is Keras's Average: the element-wise mean of its inputs, their sum divided by
// their number, as Keras computes it (a merge layer; see elementwise for the
// broadcasting).
type Average struct{ elementwise }

// NewAverage returns an Average layer.
func NewAverage(name string) *Average {
	return &Average{elementwise{base: base{name: name}, typ: "Average", min: 1,
		combine: func(s *graphs.Scope, a, b tf.Output) tf.Output { return op.AddV2(s.Op("AddV2"), a, b) }}}
}

func (m *Average) Call(x tf.Output, training bool) tf.Output {
	return m.CallMerge([]tf.Output{x}, training)
}

func (m *Average) CallMerge(xs []tf.Output, training bool) tf.Output {
	s := m.scope
	sum := m.elementwise.CallMerge(xs, training)
	return op.RealDiv(s.Op("RealDiv"), sum, s.Scalar(float64(len(xs))))
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRepeatVector, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewRepeatVector(name, c.Int("n")), nil
	})
}

// RepeatVector is Keras's RepeatVector: [batch, features] → [batch, n, features].
type RepeatVector struct {
	base
	N int
}

// NewRepeatVector returns a RepeatVector layer.
func NewRepeatVector(name string, n int) *RepeatVector {
	return &RepeatVector{base: base{name: name}, N: n}
}

func (r *RepeatVector) Type() string { return "RepeatVector" }

func (r *RepeatVector) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 1 {
		return nil, shapeError(r, in, "(None, features)")
	}
	if r.N < 1 {
		return nil, argError(r, "n", r.N, "> 0")
	}
	r.begin(s)
	return Shape{r.N, in[0]}, nil
}

func (r *RepeatVector) Call(x tf.Output, training bool) tf.Output {
	s := r.scope
	return op.Tile(s.Op("Tile"), op.ExpandDims(s.Op("ExpandDims"), x, s.Const(int32(1))), s.Const([]int32{1, int32(r.N), 1}))
}

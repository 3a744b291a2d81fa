package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerGlobalMaxPooling2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		g := NewGlobalMaxPooling2D(name)
		g.Keepdims = c.Bool("keepdims")
		return g, nil
	})
}

// GlobalMaxPooling2D is Keras's GlobalMaxPooling2D: the maximum over height and width,
// [batch, h, w, c] → [batch, c] ([batch, 1, 1, c] with Keepdims).
type GlobalMaxPooling2D struct {
	base
	Keepdims bool
}

// NewGlobalMaxPooling2D returns a GlobalMaxPooling2D layer (keepdims false).
func NewGlobalMaxPooling2D(name string) *GlobalMaxPooling2D {
	return &GlobalMaxPooling2D{base: base{name: name}}
}

func (g *GlobalMaxPooling2D) Type() string { return "GlobalMaxPooling2D" }

func (g *GlobalMaxPooling2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 || in[0] <= 0 || in[1] <= 0 {
		return nil, shapeError(g, in, "(None, height, width, channels)")
	}
	g.begin(s)
	return globalPoolShape(in, g.Keepdims), nil
}

func (g *GlobalMaxPooling2D) Call(x tf.Output, training bool) tf.Output {
	s := g.scope
	return op.Max(s.Op("Max"), x, s.Const([]int32{1, 2}), op.MaxKeepDims(g.Keepdims))
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerGlobalAveragePooling2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		g := NewGlobalAveragePooling2D(name)
		g.Keepdims = c.Bool("keepdims")
		return g, nil
	})
}

// GlobalAveragePooling2D is Keras's GlobalAveragePooling2D (channels_last): the mean over
// height and width, [batch, h, w, channels] → [batch, channels] ([batch, 1, 1, channels]
// with Keepdims, Keras's keepdims). No weights.
type GlobalAveragePooling2D struct {
	base
	Keepdims bool
}

// NewGlobalAveragePooling2D returns a GlobalAveragePooling2D layer (keepdims false).
func NewGlobalAveragePooling2D(name string) *GlobalAveragePooling2D {
	return &GlobalAveragePooling2D{base: base{name: name}}
}

func (g *GlobalAveragePooling2D) Type() string { return "GlobalAveragePooling2D" }

func (g *GlobalAveragePooling2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 || in[0] <= 0 || in[1] <= 0 {
		return nil, shapeError(g, in, "(None, height, width, channels)")
	}
	g.begin(s)
	return globalPoolShape(in, g.Keepdims), nil
}

func (g *GlobalAveragePooling2D) Call(x tf.Output, training bool) tf.Output {
	s := g.scope
	return op.Mean(s.Op("Mean"), x, s.Const([]int32{1, 2}), op.MeanKeepDims(g.Keepdims))
}

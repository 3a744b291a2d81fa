package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerGlobalMaxPooling1D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		g := NewGlobalMaxPooling1D(name)
		g.Keepdims = c.Bool("keepdims")
		return g, nil
	})
}

// GlobalMaxPooling1D is Keras's GlobalMaxPooling1D (channels_last): the maximum over the
// steps, [batch, steps, channels] → [batch, channels] ([batch, 1, channels] with Keepdims,
// Keras's keepdims). No weights.
type GlobalMaxPooling1D struct {
	base
	Keepdims bool
}

// NewGlobalMaxPooling1D returns a GlobalMaxPooling1D layer (keepdims false).
func NewGlobalMaxPooling1D(name string) *GlobalMaxPooling1D {
	return &GlobalMaxPooling1D{base: base{name: name}}
}

func (g *GlobalMaxPooling1D) Type() string { return "GlobalMaxPooling1D" }

func (g *GlobalMaxPooling1D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 || in[0] <= 0 {
		return nil, shapeError(g, in, "(None, steps, channels) with at least one step")
	}
	g.begin(s)
	return globalPoolShape(in, g.Keepdims), nil
}

func (g *GlobalMaxPooling1D) Call(x tf.Output, training bool) tf.Output {
	s := g.scope
	return op.Max(s.Op("Max"), x, s.Const([]int32{1}), op.MaxKeepDims(g.Keepdims))
}

// globalPoolShape is a global pooling layer's output shape: the channels, after as many
// ones as spatial axes with keepdims.
func globalPoolShape(in Shape, keepdims bool) Shape {
	out := Shape{}
	if keepdims {
		for range in[:len(in)-1] {
			out = append(out, 1)
		}
	}
	return append(out, in[len(in)-1])
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerGlobalAveragePooling1D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		g := NewGlobalAveragePooling1D(name)
		g.Keepdims = c.Bool("keepdims")
		return g, nil
	})
}

// GlobalAveragePooling1D is Keras's GlobalAveragePooling1D (channels_last): the mean over
// the steps (with a mask, over the unmasked steps: see CallMasked), [batch, steps, channels] → [batch, channels] ([batch, 1, channels]
// with Keepdims, Keras's keepdims). No weights.
type GlobalAveragePooling1D struct {
	base
	Keepdims bool
}

// NewGlobalAveragePooling1D returns a GlobalAveragePooling1D layer (keepdims false).
func NewGlobalAveragePooling1D(name string) *GlobalAveragePooling1D {
	return &GlobalAveragePooling1D{base: base{name: name}}
}

func (g *GlobalAveragePooling1D) Type() string { return "GlobalAveragePooling1D" }

func (g *GlobalAveragePooling1D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 || in[0] <= 0 {
		return nil, shapeError(g, in, "(None, steps, channels) with at least one step")
	}
	g.begin(s)
	return globalPoolShape(in, g.Keepdims), nil
}

func (g *GlobalAveragePooling1D) Call(x tf.Output, training bool) tf.Output {
	s := g.scope
	return op.Mean(s.Op("Mean"), x, s.Const([]int32{1}), op.MeanKeepDims(g.Keepdims))
}

// CallMasked is Call; with a mask, the mean over the unmasked steps, Σ x·m / Σ m, as
// Keras's (a sequence with every step masked gives 0/0, NaN, as in Keras). The output has
// no mask.
func (g *GlobalAveragePooling1D) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	mask := firstMask(masks)
	if mask.Op == nil {
		return g.Call(xs[0], training), tf.Output{}
	}
	s := g.scope
	m := maskAsFloat(s, mask)
	axis := s.Const([]int32{1})
	sum := op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), xs[0], m), axis, op.SumKeepDims(g.Keepdims))
	count := op.Sum(s.Op("Sum"), m, axis, op.SumKeepDims(g.Keepdims))
	return op.RealDiv(s.Op("RealDiv"), sum, count), tf.Output{}
}

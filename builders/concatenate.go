package builders

import (
	"fmt"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerConcatenate, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewConcatenate(name)
		l.Axis = c.Int("axis")
		return l, nil
	})
}

// Concatenate is Keras's Concatenate: its inputs joined along Axis (Keras's numbering:
// 0 is the batch axis, which cannot be joined; -1, the default, the last). The inputs
// have one rank and equal sizes on every other axis.
type Concatenate struct {
	base
	Axis int
	axis int // Axis as an index of the batched tensor, after Build
}

// NewConcatenate returns a Concatenate layer joining along the last axis.
func NewConcatenate(name string) *Concatenate {
	return &Concatenate{base: base{name: name}, Axis: -1}
}

func (c *Concatenate) Type() string { return "Concatenate" }

func (c *Concatenate) Build(s *graphs.Scope, in Shape) (Shape, error) {
	return c.BuildMerge(s, []Shape{in})
}

func (c *Concatenate) BuildMerge(s *graphs.Scope, ins []Shape) (Shape, error) {
	if err := mergeCount(c, len(ins), 1, 0); err != nil {
		return nil, err
	}
	a, err := kerasAxis(c, c.Axis, len(ins[0])+1)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(ins[0])
	for _, in := range ins[1:] {
		if len(in) != len(out) {
			return nil, fmt.Errorf("layer %q (Concatenate): inputs %v and %v differ in rank", c.name, ins[0], in)
		}
		for i := range in {
			if i != a-1 && in[i] != out[i] {
				return nil, fmt.Errorf("layer %q (Concatenate): inputs %v and %v differ on axis %d, not only on the joined axis %d", c.name, ins[0], in, i+1, c.Axis)
			}
		}
		out[a-1] += in[a-1]
	}
	c.axis = a
	c.begin(s)
	return out, nil
}

func (c *Concatenate) Call(x tf.Output, training bool) tf.Output {
	return c.CallMerge([]tf.Output{x}, training)
}

func (c *Concatenate) CallMerge(xs []tf.Output, _ bool) tf.Output {
	s := c.scope
	return op.ConcatV2(s.Op("ConcatV2"), xs, s.Const(int32(c.axis)))
}

// CallMasked is CallMerge; when an input has a mask, the output's is Keras's
// Concatenate.compute_mask: each input's mask broadcast over its features (all true for
// an input without one), concatenated along Axis, then true where any feature is. Joined
// along the features, that is the OR of the masks; along the steps, the masks joined.
func (c *Concatenate) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	out := c.CallMerge(xs, training)
	if andMasks(c.scope, masks).Op == nil {
		return out, tf.Output{}
	}
	s := c.scope
	full := make([]tf.Output, len(xs))
	for i, x := range xs {
		shape := op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32))
		if i >= len(masks) || masks[i].Op == nil {
			full[i] = op.Fill(s.Op("Fill"), shape, s.Const(true))
			continue
		}
		m := masks[i]
		for r := m.Shape().NumDimensions(); r < x.Shape().NumDimensions(); r++ {
			m = op.ExpandDims(s.Op("ExpandDims"), m, s.Const(int32(-1)))
		}
		full[i] = op.BroadcastTo(s.Op("BroadcastTo"), m, shape)
	}
	joined := op.ConcatV2(s.Op("ConcatV2"), full, s.Const(int32(c.axis)))
	return out, op.Any(s.Op("Any"), joined, s.Const(int32(-1)))
}

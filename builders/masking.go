package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerMasking, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewMasking(name, c.Float("mask_value")), nil
	})
}

// Masking is Keras's Masking: a step of x [batch, steps, features] whose features all
// equal MaskValue is masked: the output is x with those steps zeroed, and its mask
// [batch, steps] is false there (see MaskedLayer). No weights.
type Masking struct {
	base
	MaskValue float64

	in Shape
}

// NewMasking returns a Masking layer.
func NewMasking(name string, maskValue float64) *Masking {
	return &Masking{base: base{name: name}, MaskValue: maskValue}
}

func (m *Masking) Type() string { return "Masking" }

func (m *Masking) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 {
		return nil, shapeError(m, in, "(None, steps, features)")
	}
	m.begin(s)
	m.in = in
	return in, nil
}

func (m *Masking) Call(x tf.Output, training bool) tf.Output {
	out, _ := m.CallMasked([]tf.Output{x}, nil, training)
	return out
}

// CallMasked zeroes the masked steps and returns the mask (any feature ≠ mask_value).
func (m *Masking) CallMasked(xs, _ []tf.Output, _ bool) (tf.Output, tf.Output) {
	s := m.scope
	x := xs[0]
	keep := op.Any(s.Op("Any"), op.NotEqual(s.Op("NotEqual"), x, s.Scalar(m.MaskValue)), s.Const([]int32{2}))
	return op.Mul(s.Op("Mul"), x, maskAsFloat(s, keep)), keep
}

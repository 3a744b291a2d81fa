package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerDropout, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewDropout(name, c.Float("rate")), nil
	})
}

// Dropout is Keras's Dropout: in training, each element is zeroed with probability rate and
// the rest scaled by 1/(1−rate); in inference it is the identity. Shape unchanged.
type Dropout struct {
	base
	Rate float64
}

// NewDropout returns a Dropout layer.
func NewDropout(name string, rate float64) *Dropout {
	return &Dropout{base: base{name: name}, Rate: rate}
}

func (d *Dropout) Type() string { return "Dropout" }

func (d *Dropout) Build(s *graphs.Scope, in Shape) (Shape, error) {
	d.begin(s)
	return in, nil
}

func (d *Dropout) Call(x tf.Output, training bool) tf.Output {
	if !training || d.Rate == 0 {
		return x
	}
	s := d.scope
	u := s.RandomUniform(op.Shape(s.Op("Shape"), x))
	return dropoutOp(s, x, u, d.Rate)
}

// dropoutOp is x·[u ≥ rate]/(1−rate) for uniform draws u: the math of Dropout.
func dropoutOp(s *graphs.Scope, x, u tf.Output, rate float64) tf.Output {
	keep := op.Cast(s.Op("Cast"), op.GreaterEqual(s.Op("GreaterEqual"), u, s.Scalar(rate)), s.DType())
	return op.Mul(s.Op("Mul"), op.Mul(s.Op("Mul"), x, keep), s.Scalar(1/(1-rate)))
}

package builders

import (
	"math"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerGaussianDropout, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewGaussianDropout(name, c.Float("rate")), nil
	})
}

// GaussianDropout is Keras's GaussianDropout (Srivastava et al. 2014): in training
// x·(1 + σ·z), z standard normal, σ = √(rate/(1 − rate)); in inference the identity.
// Shape unchanged. Draws as GaussianNoise's, seeded per training step.
type GaussianDropout struct {
	base
	Rate float64
}

// NewGaussianDropout returns a GaussianDropout layer.
func NewGaussianDropout(name string, rate float64) *GaussianDropout {
	return &GaussianDropout{base: base{name: name}, Rate: rate}
}

func (g *GaussianDropout) Type() string { return "GaussianDropout" }

func (g *GaussianDropout) Build(s *graphs.Scope, in Shape) (Shape, error) {
	g.begin(s)
	return in, nil
}

func (g *GaussianDropout) Call(x tf.Output, training bool) tf.Output {
	if !training || g.Rate <= 0 {
		return x
	}
	s := g.scope
	return gaussianDropoutOp(s, x, noise(s, x), g.Rate)
}

// gaussianDropoutOp is x·(1 + σ·z) for standard normal draws z, σ = √(rate/(1 − rate)):
// Keras's normal(mean 1, stddev σ).
func gaussianDropoutOp(s *graphs.Scope, x, z tf.Output, rate float64) tf.Output {
	noise := op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), z, s.Scalar(math.Sqrt(rate/(1-rate)))), s.Scalar(1))
	return op.Mul(s.Op("Mul"), x, noise)
}

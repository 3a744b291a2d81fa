package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerGaussianNoise, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewGaussianNoise(name, c.Float("stddev")), nil
	})
}

// GaussianNoise is Keras's GaussianNoise: in training x + ε with ε normal of mean 0 and
// standard deviation Stddev; in inference the identity. Shape unchanged. The draws come
// from the graph's stateless streams keyed by the training step (graphs.Scope.RandomNormal),
// as Dropout's, so a resumed run draws what the uninterrupted one did.
type GaussianNoise struct {
	base
	Stddev float64
}

// NewGaussianNoise returns a GaussianNoise layer.
func NewGaussianNoise(name string, stddev float64) *GaussianNoise {
	return &GaussianNoise{base: base{name: name}, Stddev: stddev}
}

func (g *GaussianNoise) Type() string { return "GaussianNoise" }

func (g *GaussianNoise) Build(s *graphs.Scope, in Shape) (Shape, error) {
	g.begin(s)
	return in, nil
}

func (g *GaussianNoise) Call(x tf.Output, training bool) tf.Output {
	if !training || g.Stddev <= 0 {
		return x
	}
	s := g.scope
	return gaussianNoiseOp(s, x, noise(s, x), g.Stddev)
}

// gaussianNoiseOp is x + stddev·z for standard normal draws z.
func gaussianNoiseOp(s *graphs.Scope, x, z tf.Output, stddev float64) tf.Output {
	return op.AddV2(s.Op("AddV2"), x, op.Mul(s.Op("Mul"), z, s.Scalar(stddev)))
}

// noise draws standard normal values of x's shape (graphs.Scope.RandomNormal), cut from the
// gradient: the draw depends on x only through its shape, and TensorFlow's registry has no
// gradient for StatelessRandomNormalV2, which differentiating down to a layer's input
// would otherwise walk into.
func noise(s *graphs.Scope, x tf.Output) tf.Output {
	return op.StopGradient(s.Op("StopGradient"), s.RandomNormal(op.Shape(s.Op("Shape"), x)))
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerLayerNormalization, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewLayerNormalization(name)
		l.Axis, l.Epsilon, l.Center, l.Scale = c.Int("axis"), c.Float("epsilon"), c.Bool("center"), c.Bool("scale")
		return l, nil
	})
}

// Keras's LayerNormalization defaults (keras/src/layers/normalization/layer_normalization.py).
const (
	LayerNormAxis    = -1
	LayerNormEpsilon = 1e-3
)

// LayerNormalization is Keras's LayerNormalization (Ba et al. 2016,
// https://arxiv.org/abs/1607.06450) over the last axis, each example on its own:
// γ·(x − μ)/√(σ² + ε) + β with μ and σ² the mean and (biased) variance of x's last axis;
// shape unchanged, [batch, ..., features] → [batch, ..., features]. Weights "gamma"
// [features] (ones; with Scale) and "beta" [features] (zeros; with Center). Computed in
// Keras's order: inv = rsqrt(σ² + ε)·γ, y = x·inv + (β − μ·inv). Axis takes -1 (or the
// last axis counted with the batch, as Keras would), the only axis implemented.
type LayerNormalization struct {
	base
	Axis          int
	Epsilon       float64
	Center, Scale bool

	in          Shape
	gamma, beta *graphs.Variable
}

// NewLayerNormalization returns a LayerNormalization layer with Keras's defaults (axis -1,
// epsilon 1e-3, center, scale).
func NewLayerNormalization(name string) *LayerNormalization {
	return &LayerNormalization{base: base{name: name}, Axis: LayerNormAxis, Epsilon: LayerNormEpsilon, Center: true, Scale: true}
}

func (l *LayerNormalization) Type() string { return "LayerNormalization" }

func (l *LayerNormalization) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) < 1 {
		return nil, shapeError(l, in, "(None, ..., features)")
	}
	if l.Axis != -1 && l.Axis != len(in) {
		return nil, argError(l, "axis", l.Axis, "-1 (the last axis; others are not implemented)")
	}
	if l.Epsilon <= 0 {
		return nil, argError(l, "epsilon", l.Epsilon, "a positive number")
	}
	l.begin(s)
	l.in = in
	c := []int64{int64(in[len(in)-1])}
	if l.Scale {
		l.gamma = l.variable("gamma", c, graphs.Ones{}, true)
	}
	if l.Center {
		l.beta = l.variable("beta", c, graphs.Zeros{}, true)
	}
	return in, nil
}

func (l *LayerNormalization) Call(x tf.Output, training bool) tf.Output {
	var gamma, beta tf.Output
	if l.Scale {
		gamma = l.scope.Read(l.gamma)
	}
	if l.Center {
		beta = l.scope.Read(l.beta)
	}
	return layerNormOp(l.scope, x, gamma, beta, l.Epsilon)
}

// layerNormOp normalises x over its last axis (gamma, beta zero Outputs when absent).
// The variance is mean((x − μ)²); Keras's tf.nn.moments stops the gradient through μ
// there, which changes nothing: ∂σ²/∂μ = −2·mean(x − μ) = 0.
func layerNormOp(s *graphs.Scope, x, gamma, beta tf.Output, eps float64) tf.Output {
	axis := s.Const([]int32{-1})
	mean := op.Mean(s.Op("Mean"), x, axis, op.MeanKeepDims(true))
	variance := op.Mean(s.Op("Mean"), op.SquaredDifference(s.Op("SquaredDifference"), x, mean), axis, op.MeanKeepDims(true))
	inv := op.Rsqrt(s.Op("Rsqrt"), op.AddV2(s.Op("AddV2"), variance, s.Scalar(eps)))
	if gamma.Op != nil {
		inv = op.Mul(s.Op("Mul"), inv, gamma)
	}
	res := op.Mul(s.Op("Mul"), op.Neg(s.Op("Neg"), mean), inv)
	if beta.Op != nil {
		res = op.AddV2(s.Op("AddV2"), res, beta)
	}
	return op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), x, inv), res)
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerGRU, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		g := NewGRU(name, c.Int("units"))
		g.Activation, g.RecurrentActivation = c.String("activation"), c.String("recurrent_activation")
		g.UseBias, g.ResetAfter = c.Bool("use_bias"), c.Bool("reset_after")
		g.ReturnSequences, g.GoBackwards = c.Bool("return_sequences"), c.Bool("go_backwards")
		g.Dropout = c.Float("dropout")
		return g, nil
	})
}

// GRU is Keras's GRU (Cho et al. 2014, https://arxiv.org/abs/1406.1078), zero initial
// state, no recurrent dropout: [batch, time, features] → [batch, units] (the last
// step's output; [batch, time, units] with ReturnSequences). Weights "kernel"
// [features, 3·units] (glorot_uniform), "recurrent_kernel" [units, 3·units] (orthogonal)
// and "bias" (zeros), gates in Keras's order z (update), r (reset), h (candidate). Per step:
//
//	z = σ(x·Wz + bz + h·Uz + b'z),  r = σ(x·Wr + br + h·Ur + b'r)
//	ĥ = tanh(x·Wh + bh + r ⊙ (h·Uh + b'h))        (ResetAfter, Keras's default)
//	ĥ = tanh(x·Wh + bh + (r ⊙ h)·Uh)               (ResetAfter false)
//	h ← z ⊙ h + (1 − z) ⊙ ĥ
//
// With ResetAfter the bias is [2, 3·units] (row 0 for the input projection, row 1 for the
// recurrent one, the cuDNN layout); without it [3·units]. σ and tanh are
// RecurrentActivation and Activation. GoBackwards reads the sequence from its end and
// returns the sequence of outputs reversed, as Keras's go_backwards. Statically unrolled
// (see rnnProject).
type GRU struct {
	base
	Units                           int
	Activation, RecurrentActivation string
	UseBias, ResetAfter             bool
	ReturnSequences, GoBackwards    bool
	zeroOutputForMask               bool // Keras's zero_output_for_mask (see rnn_mask.go)
	// Dropout drops that fraction of the input features in training, the same ones at
	// every step (Keras's dropout; see rnnInputDropout).
	Dropout float64

	in                      Shape
	kernel, recurrent, bias *graphs.Variable
}

// NewGRU returns a GRU layer with Keras's defaults (tanh, sigmoid, bias, reset_after).
func NewGRU(name string, units int) *GRU {
	return &GRU{base: base{name: name}, Units: units, Activation: RNNActivation,
		RecurrentActivation: RNNRecurrentActivation, UseBias: true, ResetAfter: true}
}

func (g *GRU) Type() string { return "GRU" }

func (g *GRU) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if err := rnnInputShape(g, in, g.Units); err != nil {
		return nil, err
	}
	if err := checkActivation(g.Activation); err != nil {
		return nil, err
	}
	if err := checkActivation(g.RecurrentActivation); err != nil {
		return nil, err
	}
	g.begin(s)
	g.in = in
	u := int64(g.Units)
	g.kernel = g.variable("kernel", []int64{int64(in[1]), 3 * u}, graphs.GlorotUniform{}, true)
	g.recurrent = g.variable("recurrent_kernel", []int64{u, 3 * u}, graphs.Orthogonal{Gain: graphs.KerasOrthogonalGain}, true)
	if g.UseBias {
		g.bias = g.variable("bias", g.biasShape(), graphs.Zeros{}, true)
	}
	return rnnOutputShape(in, g.Units, g.ReturnSequences), nil
}

func (g *GRU) biasShape() []int64 {
	if g.ResetAfter {
		return []int64{2, 3 * int64(g.Units)}
	}
	return []int64{3 * int64(g.Units)}
}

func (g *GRU) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if g.UseBias {
		b = g.scope.Read(g.bias)
	}
	x = rnnInputDropout(g.scope, x, g.Dropout, training)
	return g.sequence(g.scope, x, g.scope.Read(g.kernel), g.scope.Read(g.recurrent), b, g.in, tf.Output{})
}

// CallMasked is Call with a mask on x: the state is carried over the masked steps (see
// rnn_mask.go).
func (g *GRU) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	mask := firstMask(masks)
	var b tf.Output
	if g.UseBias {
		b = g.scope.Read(g.bias)
	}
	x := rnnInputDropout(g.scope, xs[0], g.Dropout, training)
	out := g.sequence(g.scope, x, g.scope.Read(g.kernel), g.scope.Read(g.recurrent), b, g.in, mask)
	return out, rnnOutputMask(mask, g.ReturnSequences)
}

// sequence is the GRU's math on tensors: x [batch, steps, features] of shape in, the
// weights in Keras's layouts (bias a zero Output without UseBias), mask x's mask (a zero
// Output for none).
func (g *GRU) sequence(s *graphs.Scope, x, kernel, recurrent, bias tf.Output, in Shape, mask tf.Output) tf.Output {
	if !s.Ok(x, kernel, recurrent) {
		return tf.Output{}
	}
	u := int32(g.Units)
	var inBias, recBias tf.Output // recBias only with ResetAfter
	if bias.Op != nil {
		inBias = bias
		if g.ResetAfter {
			rows := op.Unpack(s.Op("Unpack"), bias, 2, op.UnpackAxis(0))
			inBias, recBias = rows[0], rows[1]
		}
	}
	xs := rnnProject(s, x, kernel, inBias, in, 3*g.Units, g.GoBackwards)
	var recZR, recH tf.Output // without ResetAfter, h·U is split: z and r first, h after r
	if !g.ResetAfter {
		recZR = op.Slice(s.Op("Slice"), recurrent, s.Const([]int32{0, 0}), s.Const([]int32{u, 2 * u}))
		recH = op.Slice(s.Op("Slice"), recurrent, s.Const([]int32{0, 2 * u}), s.Const([]int32{u, u}))
	}
	h := rnnZeroState(s, x, g.Units)
	ms := rnnStepMasks(s, mask, in[0], g.GoBackwards)
	one := s.Scalar(1)
	hs := make([]tf.Output, len(xs))
	for t, xt := range xs {
		cs := s.Sub("step")
		xg := op.Split(cs.Op("Split"), cs.Const(int32(1)), xt, 3) // x_z, x_r, x_h
		var z, r, hh tf.Output
		if g.ResetAfter {
			inner := op.MatMul(cs.Op("MatMul"), h, recurrent)
			if recBias.Op != nil {
				inner = cs.BiasAdd(inner, recBias)
			}
			rg := op.Split(cs.Op("Split"), cs.Const(int32(1)), inner, 3)
			z = activate(cs, g.RecurrentActivation, op.AddV2(cs.Op("AddV2"), xg[0], rg[0]))
			r = activate(cs, g.RecurrentActivation, op.AddV2(cs.Op("AddV2"), xg[1], rg[1]))
			hh = activate(cs, g.Activation, op.AddV2(cs.Op("AddV2"), xg[2], op.Mul(cs.Op("Mul"), r, rg[2])))
		} else {
			inner := op.MatMul(cs.Op("MatMul"), h, recZR)
			rg := op.Split(cs.Op("Split"), cs.Const(int32(1)), inner, 2)
			z = activate(cs, g.RecurrentActivation, op.AddV2(cs.Op("AddV2"), xg[0], rg[0]))
			r = activate(cs, g.RecurrentActivation, op.AddV2(cs.Op("AddV2"), xg[1], rg[1]))
			rh := op.MatMul(cs.Op("MatMul"), op.Mul(cs.Op("Mul"), r, h), recH)
			hh = activate(cs, g.Activation, op.AddV2(cs.Op("AddV2"), xg[2], rh))
		}
		hNew := op.AddV2(cs.Op("AddV2"), op.Mul(cs.Op("Mul"), z, h),
			op.Mul(cs.Op("Mul"), op.Sub(cs.Op("Sub"), one, z), hh))
		if ms == nil {
			h, hs[t] = hNew, hNew
			continue
		}
		h = carry(cs, ms[t], hNew, h)
		hs[t] = maskedOutput(cs, ms[t], hNew, h, g.zeroOutputForMask)
	}
	return rnnOutput(s, hs, g.ReturnSequences)
}

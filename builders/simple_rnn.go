package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerSimpleRNN, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		r := NewSimpleRNN(name, c.Int("units"))
		r.Activation, r.UseBias = c.String("activation"), c.Bool("use_bias")
		r.ReturnSequences, r.GoBackwards = c.Bool("return_sequences"), c.Bool("go_backwards")
		r.Dropout = c.Float("dropout")
		return r, nil
	})
}

// SimpleRNN is Keras's SimpleRNN, zero initial state, no recurrent dropout:
// [batch, time, features] → [batch, units] (the last step's output; [batch, time, units]
// with ReturnSequences). Per step h ← activation(x·kernel + bias + h·recurrent_kernel),
// activation tanh by default. Weights "kernel" [features, units] (glorot_uniform),
// "recurrent_kernel" [units, units] (orthogonal) and "bias" [units] (zeros). GoBackwards
// as Keras's go_backwards. Statically unrolled (see rnnProject).
type SimpleRNN struct {
	base
	Units                        int
	Activation                   string
	UseBias                      bool
	ReturnSequences, GoBackwards bool
	zeroOutputForMask            bool // Keras's zero_output_for_mask (see rnn_mask.go)
	// Dropout drops that fraction of the input features in training, the same ones at
	// every step (Keras's dropout; see rnnInputDropout).
	Dropout float64

	in                      Shape
	kernel, recurrent, bias *graphs.Variable
}

// NewSimpleRNN returns a SimpleRNN layer with Keras's defaults (tanh, bias).
func NewSimpleRNN(name string, units int) *SimpleRNN {
	return &SimpleRNN{base: base{name: name}, Units: units, Activation: RNNActivation, UseBias: true}
}

func (r *SimpleRNN) Type() string { return "SimpleRNN" }

func (r *SimpleRNN) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if err := rnnInputShape(r, in, r.Units); err != nil {
		return nil, err
	}
	if err := checkActivation(r.Activation); err != nil {
		return nil, err
	}
	r.begin(s)
	r.in = in
	u := int64(r.Units)
	r.kernel = r.variable("kernel", []int64{int64(in[1]), u}, graphs.GlorotUniform{}, true)
	r.recurrent = r.variable("recurrent_kernel", []int64{u, u}, graphs.Orthogonal{Gain: graphs.KerasOrthogonalGain}, true)
	if r.UseBias {
		r.bias = r.variable("bias", []int64{u}, graphs.Zeros{}, true)
	}
	return rnnOutputShape(in, r.Units, r.ReturnSequences), nil
}

func (r *SimpleRNN) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if r.UseBias {
		b = r.scope.Read(r.bias)
	}
	x = rnnInputDropout(r.scope, x, r.Dropout, training)
	return r.sequence(r.scope, x, r.scope.Read(r.kernel), r.scope.Read(r.recurrent), b, r.in, tf.Output{})
}

// CallMasked is Call with a mask on x: the state is carried over the masked steps (see
// rnn_mask.go).
func (r *SimpleRNN) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	mask := firstMask(masks)
	var b tf.Output
	if r.UseBias {
		b = r.scope.Read(r.bias)
	}
	x := rnnInputDropout(r.scope, xs[0], r.Dropout, training)
	out := r.sequence(r.scope, x, r.scope.Read(r.kernel), r.scope.Read(r.recurrent), b, r.in, mask)
	return out, rnnOutputMask(mask, r.ReturnSequences)
}

// sequence is the SimpleRNN's math on tensors (bias a zero Output without UseBias; mask
// x's mask, a zero Output for none).
func (r *SimpleRNN) sequence(s *graphs.Scope, x, kernel, recurrent, bias tf.Output, in Shape, mask tf.Output) tf.Output {
	if !s.Ok(x, kernel, recurrent) {
		return tf.Output{}
	}
	xs := rnnProject(s, x, kernel, bias, in, r.Units, r.GoBackwards)
	h := rnnZeroState(s, x, r.Units)
	ms := rnnStepMasks(s, mask, in[0], r.GoBackwards)
	hs := make([]tf.Output, len(xs))
	for t, xt := range xs {
		cs := s.Sub("step")
		hNew := activate(cs, r.Activation, op.AddV2(cs.Op("AddV2"), xt, op.MatMul(cs.Op("MatMul"), h, recurrent)))
		if ms == nil {
			h, hs[t] = hNew, hNew
			continue
		}
		h = carry(cs, ms[t], hNew, h)
		hs[t] = maskedOutput(cs, ms[t], hNew, h, r.zeroOutputForMask)
	}
	return rnnOutput(s, hs, r.ReturnSequences)
}

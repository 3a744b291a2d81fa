package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerReLU, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		r := NewReLU(name)
		if c.Has("max_value") {
			m := c.Float("max_value")
			r.MaxValue = &m
		}
		r.NegativeSlope, r.Threshold = c.Float("negative_slope"), c.Float("threshold")
		return r, nil
	})
}

// ReLU is Keras's ReLU layer, keras.activations.relu with its arguments: x for
// threshold ≤ x < max_value, max_value at and above it, negative_slope·(x − threshold)
// below the threshold. Shape unchanged.
type ReLU struct {
	base
	// MaxValue caps the output; nil is Keras's None, no cap.
	MaxValue                 *float64
	NegativeSlope, Threshold float64
}

// NewReLU returns a ReLU layer with Keras's defaults: max(x, 0).
func NewReLU(name string) *ReLU { return &ReLU{base: base{name: name}} }

func (r *ReLU) Type() string { return "ReLU" }

func (r *ReLU) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if r.NegativeSlope < 0 || r.Threshold < 0 || (r.MaxValue != nil && *r.MaxValue < 0) {
		return nil, fmt.Errorf("layer %q (ReLU): max_value, negative_slope and threshold must be >= 0", r.name)
	}
	r.begin(s)
	return in, nil
}

func (r *ReLU) Call(x tf.Output, training bool) tf.Output {
	return reluOp(r.scope, x, r.MaxValue, r.NegativeSlope, r.Threshold)
}

// reluOp is Keras 3's ReLU.static_call (keras/src/activations/activations.py) on tensors,
// op for op: LeakyRelu when only the slope is set, Relu6 for a cap of 6 without threshold,
// else Relu or x·[x > threshold], clipped to [0, max_value], minus slope·relu(threshold − x).
func reluOp(s *graphs.Scope, x tf.Output, maxValue *float64, slope, threshold float64) tf.Output {
	if slope != 0 && maxValue == nil && threshold == 0 {
		return leakyReLUOp(s, x, slope)
	}
	var negative tf.Output
	if slope != 0 {
		neg := op.Neg(s.Op("Neg"), x)
		if threshold != 0 {
			neg = op.AddV2(s.Op("AddV2"), neg, s.Scalar(threshold))
		}
		negative = op.Relu(s.Op("Relu"), neg)
	}
	clip := maxValue != nil
	switch {
	case threshold != 0:
		above := op.Cast(s.Op("Cast"), op.Greater(s.Op("Greater"), x, s.Scalar(threshold)), x.DataType())
		x = op.Mul(s.Op("Mul"), x, above)
	case clip && *maxValue == 6:
		x = op.Relu6(s.Op("Relu6"), x)
		clip = false
	default:
		x = op.Relu(s.Op("Relu"), x)
	}
	if clip { // tf.clip_by_value
		x = op.Maximum(s.Op("Maximum"), op.Minimum(s.Op("Minimum"), x, s.Scalar(*maxValue)), s.Scalar(0))
	}
	if slope != 0 {
		x = op.Sub(s.Op("Sub"), x, op.Mul(s.Op("Mul"), s.Scalar(slope), negative))
	}
	return x
}

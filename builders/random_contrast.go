package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRandomContrast, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		r := NewRandomContrast(name, c.Float("factor"))
		r.ValueRange = c.Pair("value_range")
		return r, nil
	})
}

// RandomContrast is Keras's RandomContrast (keras/src/layers/preprocessing/
// image_preprocessing/random_contrast.py), channels_last: in training each image becomes
// (x − m)·c + m clipped to ValueRange, m its mean over height and width (per channel), c
// uniform in [1 − factor, 1 + factor) per image; in inference it is the identity. Shape
// unchanged, no weights.
type RandomContrast struct {
	base
	Factor     float64
	ValueRange [2]int

	in Shape
}

// NewRandomContrast returns a RandomContrast with Keras's default value_range (0, 255).
func NewRandomContrast(name string, factor float64) *RandomContrast {
	return &RandomContrast{base: base{name: name}, Factor: factor, ValueRange: [2]int{0, 255}}
}

func (r *RandomContrast) Type() string { return configs.LayerRandomContrast }

func (r *RandomContrast) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(r, in, "(None, height, width, channels)")
	}
	if r.Factor < 0 || r.Factor > 1 {
		return nil, argError(r, "factor", r.Factor, "a number in [0, 1]")
	}
	if r.ValueRange[0] >= r.ValueRange[1] {
		return nil, argError(r, "value_range", r.ValueRange, "[lower, upper] with lower < upper")
	}
	r.begin(s)
	r.in = in
	return in, nil
}

func (r *RandomContrast) Call(x tf.Output, training bool) tf.Output {
	if !training {
		return x
	}
	return r.apply(x, imageUniform(r.scope, x, 1, 1-r.Factor, 1+r.Factor))
}

// apply adjusts the images' contrast by factor (float32 [batch, 1]).
func (r *RandomContrast) apply(x, factor tf.Output) tf.Output {
	s := r.scope
	c := s.CastTo(factor, s.DType())
	c = op.Reshape(s.Op("Reshape"), c, s.Const([]int32{-1, 1, 1, 1}))
	mean := op.Mean(s.Op("Mean"), x, s.Const([]int32{1, 2}), op.MeanKeepDims(true))
	y := op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), op.Sub(s.Op("Sub"), x, mean), c), mean)
	y = op.Maximum(s.Op("Maximum"), y, s.Scalar(float64(r.ValueRange[0])))
	return op.Minimum(s.Op("Minimum"), y, s.Scalar(float64(r.ValueRange[1])))
}

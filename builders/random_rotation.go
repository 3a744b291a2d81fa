package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRandomRotation, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		r := NewRandomRotation(name, c.Float("factor"))
		r.FillMode, r.Interpolation, r.FillValue = c.String("fill_mode"), c.String("interpolation"), c.Float("fill_value")
		return r, nil
	})
}

// RandomRotation is Keras's RandomRotation (keras/src/layers/preprocessing/
// image_preprocessing/random_rotation.py), channels_last: in training each image is
// rotated about its centre ((width−1)/2, (height−1)/2) by θ uniform in
// [−|factor|·360°, |factor|·360°), through Keras's affine matrix [cos θ, −sin θ, ...]
// (ImageProjectiveTransformV3); in inference it is the identity. Shape unchanged, no
// weights; its gradient to its input is TensorFlow's (see affineTransform).
type RandomRotation struct {
	base
	Factor float64
	affineArgs

	in Shape
}

// NewRandomRotation returns a RandomRotation with Keras's defaults (reflect, bilinear,
// fill_value 0).
func NewRandomRotation(name string, factor float64) *RandomRotation {
	return &RandomRotation{base: base{name: name}, Factor: factor, affineArgs: defaultAffineArgs()}
}

func (r *RandomRotation) Type() string { return configs.LayerRandomRotation }

func (r *RandomRotation) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(r, in, "(None, height, width, channels)")
	}
	if err := checkFactor(r, "factor", r.Factor, true); err != nil {
		return nil, err
	}
	if err := r.check(r); err != nil {
		return nil, err
	}
	r.begin(s)
	r.in = in
	return in, nil
}

func (r *RandomRotation) Call(x tf.Output, training bool) tf.Output {
	if !training {
		return x
	}
	f := abs(r.Factor) * 360
	return r.apply(x, imageUniform(r.scope, x, 1, -f, f))
}

// apply rotates the images by angle (float32 [batch, 1], in degrees, Keras's angle).
func (r *RandomRotation) apply(x, angle tf.Output) tf.Output {
	s := r.scope
	theta := op.Mul(s.Op("Mul"), angle, s.Const(float32(degreesToRadians)))
	cos, sin := op.Cos(s.Op("Cos"), theta), op.Sin(s.Op("Sin"), theta)
	cx, cy := s.Const(float32(0.5*float64(r.in[1]-1))), s.Const(float32(0.5*float64(r.in[0]-1)))
	mul := func(a, b tf.Output) tf.Output { return op.Mul(s.Op("Mul"), a, b) }
	sub := func(a, b tf.Output) tf.Output { return op.Sub(s.Op("Sub"), a, b) }
	// Keras's _compute_affine_matrix with scale 1, no shear, no translation:
	// a2 = cx − cx·a0 − cy·a1, b2 = cy − cx·b0 − cy·b1.
	a0, a1 := cos, op.Neg(s.Op("Neg"), sin)
	b0, b1 := sin, cos
	a2 := sub(sub(cx, mul(cx, a0)), mul(cy, a1))
	b2 := sub(sub(cy, mul(cx, b0)), mul(cy, b1))
	transforms := transformRows(s, theta, a0, a1, a2, b0, b1, b2)
	return affineTransform(s, x, transforms, r.in[0], r.in[1], r.Interpolation, r.FillMode, r.FillValue)
}

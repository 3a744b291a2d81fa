package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRandomTranslation, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		t := NewRandomTranslation(name, c.Float("height_factor"), c.Float("width_factor"))
		t.FillMode, t.Interpolation, t.FillValue = c.String("fill_mode"), c.String("interpolation"), c.Float("fill_value")
		return t, nil
	})
}

// affineArgs are the arguments of Keras's affine-transform layers.
type affineArgs struct {
	FillMode      string // reflect (Keras's default), wrap, constant, nearest
	Interpolation string // bilinear (Keras's default), nearest
	FillValue     float64
}

func defaultAffineArgs() affineArgs {
	return affineArgs{FillMode: configs.FillReflect, Interpolation: configs.InterpolationBilinear}
}

func (a affineArgs) check(l Layer) error {
	if err := checkChoice(l, "fill_mode", a.FillMode, configs.FillReflect, configs.FillWrap, configs.FillConstant, configs.FillNearest); err != nil {
		return err
	}
	return checkChoice(l, "interpolation", a.Interpolation, configs.InterpolationBilinear, configs.InterpolationNearest)
}

// checkFactor reports a factor outside (−1, 1] (or [−1, 1] when closed).
func checkFactor(l Layer, arg string, f float64, closed bool) error {
	if f > 1 || f < -1 || (!closed && f == -1) {
		return argError(l, arg, f, "a number in (-1, 1]")
	}
	return nil
}

// RandomTranslation is Keras's RandomTranslation (keras/src/layers/preprocessing/
// image_preprocessing/random_translation.py), channels_last: in training each image is
// shifted by dy = u·height down and dx = v·width right, u and v uniform in
// [−|height_factor|, |height_factor|) and [−|width_factor|, |width_factor|), through the
// transform [1 0 −dx; 0 1 −dy] (ImageProjectiveTransformV3), the uncovered pixels filled
// as FillMode says; in inference it is the identity. Shape unchanged, no weights. Its
// gradient to its input is TensorFlow's (see affineTransform).
type RandomTranslation struct {
	base
	HeightFactor, WidthFactor float64
	affineArgs

	in Shape
}

// NewRandomTranslation returns a RandomTranslation with Keras's defaults (reflect,
// bilinear, fill_value 0).
func NewRandomTranslation(name string, heightFactor, widthFactor float64) *RandomTranslation {
	return &RandomTranslation{base: base{name: name}, HeightFactor: heightFactor, WidthFactor: widthFactor, affineArgs: defaultAffineArgs()}
}

func (t *RandomTranslation) Type() string { return configs.LayerRandomTranslation }

func (t *RandomTranslation) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(t, in, "(None, height, width, channels)")
	}
	if err := checkFactor(t, "height_factor", t.HeightFactor, false); err != nil {
		return nil, err
	}
	if err := checkFactor(t, "width_factor", t.WidthFactor, false); err != nil {
		return nil, err
	}
	if err := t.check(t); err != nil {
		return nil, err
	}
	t.begin(s)
	t.in = in
	return in, nil
}

func (t *RandomTranslation) Call(x tf.Output, training bool) tf.Output {
	if !training {
		return x
	}
	s := t.scope
	fh, fw := abs(t.HeightFactor), abs(t.WidthFactor)
	dy := op.Mul(s.Op("Mul"), imageUniform(s, x, 1, -fh, fh), s.Const(float32(t.in[0])))
	dx := op.Mul(s.Op("Mul"), imageUniform(s, x, 1, -fw, fw), s.Const(float32(t.in[1])))
	return t.apply(x, op.ConcatV2(s.Op("ConcatV2"), []tf.Output{dx, dy}, s.Const(int32(1))))
}

// apply shifts the images by d (float32 [batch, 2]: Keras's translations, [dx, dy] in
// pixels, right and down).
func (t *RandomTranslation) apply(x, d tf.Output) tf.Output {
	s := t.scope
	dx, dy := column(s, d, 0), column(s, d, 1)
	one := op.OnesLike(s.Op("OnesLike"), dx)
	transforms := transformRows(s, dx, one, tf.Output{}, op.Neg(s.Op("Neg"), dx), tf.Output{}, one, op.Neg(s.Op("Neg"), dy))
	return affineTransform(s, x, transforms, t.in[0], t.in[1], t.Interpolation, t.FillMode, t.FillValue)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

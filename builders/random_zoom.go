package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRandomZoom, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		z := NewRandomZoom(name, c.Float("height_factor"))
		if c.Has("width_factor") {
			w := c.Float("width_factor")
			z.WidthFactor = &w
		}
		z.FillMode, z.Interpolation, z.FillValue = c.String("fill_mode"), c.String("interpolation"), c.Float("fill_value")
		return z, nil
	})
}

// RandomZoom is Keras's RandomZoom (keras/src/layers/preprocessing/image_preprocessing/
// random_zoom.py), channels_last: in training each image is zoomed about its centre by
// zy = 1 + u vertically and zx = 1 + v horizontally, u uniform in
// [−|height_factor|, |height_factor|), v likewise for width_factor, or v = u when
// WidthFactor is nil (Keras's None), through [zx 0 (w−1)/2·(1−zx); 0 zy (h−1)/2·(1−zy)]
// (ImageProjectiveTransformV3): zy > 1 zooms out. In inference it is the identity. Shape
// unchanged, no weights; its gradient to its input is TensorFlow's (see affineTransform).
type RandomZoom struct {
	base
	HeightFactor float64
	WidthFactor  *float64
	affineArgs

	in Shape
}

// NewRandomZoom returns a RandomZoom with Keras's defaults (width_factor None: the
// aspect ratio kept; reflect, bilinear, fill_value 0).
func NewRandomZoom(name string, heightFactor float64) *RandomZoom {
	return &RandomZoom{base: base{name: name}, HeightFactor: heightFactor, affineArgs: defaultAffineArgs()}
}

func (z *RandomZoom) Type() string { return configs.LayerRandomZoom }

func (z *RandomZoom) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(z, in, "(None, height, width, channels)")
	}
	if err := checkFactor(z, "height_factor", z.HeightFactor, false); err != nil {
		return nil, err
	}
	if z.WidthFactor != nil {
		if err := checkFactor(z, "width_factor", *z.WidthFactor, false); err != nil {
			return nil, err
		}
	}
	if err := z.check(z); err != nil {
		return nil, err
	}
	z.begin(s)
	z.in = in
	return in, nil
}

func (z *RandomZoom) Call(x tf.Output, training bool) tf.Output {
	if !training {
		return x
	}
	s := z.scope
	fh := abs(z.HeightFactor)
	zy := imageUniform(s, x, 1, 1-fh, 1+fh)
	zx := zy
	if z.WidthFactor != nil {
		fw := abs(*z.WidthFactor)
		zx = imageUniform(s, x, 1, 1-fw, 1+fw)
	}
	return z.apply(x, op.ConcatV2(s.Op("ConcatV2"), []tf.Output{zx, zy}, s.Const(int32(1))))
}

// apply zooms the images by zooms (float32 [batch, 2]: Keras's [zx, zy]).
func (z *RandomZoom) apply(x, zooms tf.Output) tf.Output {
	s := z.scope
	zx, zy := column(s, zooms, 0), column(s, zooms, 1)
	offset := func(zoom tf.Output, side int) tf.Output {
		return op.Mul(s.Op("Mul"), s.Const(float32(float64(side-1)/2)), op.Sub(s.Op("Sub"), s.Const(float32(1)), zoom))
	}
	transforms := transformRows(s, zy, zx, tf.Output{}, offset(zx, z.in[1]), tf.Output{}, zy, offset(zy, z.in[0]))
	return affineTransform(s, x, transforms, z.in[0], z.in[1], z.Interpolation, z.FillMode, z.FillValue)
}

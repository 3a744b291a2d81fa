package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRandomCrop, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewRandomCrop(name, c.Int("height"), c.Int("width")), nil
	})
}

// RandomCrop is Keras's RandomCrop (keras/src/layers/preprocessing/image_preprocessing/
// random_crop.py), channels_last, [h, w, c] → [height, width, c]:
//
//   - in training, on an input larger than the output both ways, each image is cropped at
//     a random top-left corner, uniform over the h − height + 1 by w − width + 1 possible
//     ones. Keras 3.15 draws one corner for the whole batch; tfrun draws one per image (as
//     a tf.data pipeline's random_crop does), which is also what keeps a cluster's
//     replicas drawing what a one-process run draws. On any other input, Keras's fixed
//     window (the corner of smart_resize's centred crop, height × width from there) is
//     cut and resized to height × width, bilinear;
//   - in inference, Keras's smart_resize: the centred window of the output's aspect ratio,
//     resized (bilinear) to height × width. (Keras 3.15 returns its input unchanged in
//     inference, whose shape is not its own compute_output_shape's; tfrun keeps the
//     declared shape, as tf.keras's RandomCrop did.)
//
// No weights.
type RandomCrop struct {
	base
	Height, Width int

	in Shape
}

// NewRandomCrop returns a RandomCrop to height × width.
func NewRandomCrop(name string, height, width int) *RandomCrop {
	return &RandomCrop{base: base{name: name}, Height: height, Width: width}
}

func (r *RandomCrop) Type() string { return configs.LayerRandomCrop }

func (r *RandomCrop) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(r, in, "(None, height, width, channels)")
	}
	if err := checkPositive(r, "height", r.Height); err != nil {
		return nil, err
	}
	if err := checkPositive(r, "width", r.Width); err != nil {
		return nil, err
	}
	r.begin(s)
	r.in = in
	return Shape{r.Height, r.Width, in[2]}, nil
}

func (r *RandomCrop) Call(x tf.Output, training bool) tf.Output {
	s := r.scope
	if !training {
		return smartResize(s, x, r.in, r.Height, r.Width, configs.InterpolationBilinear)
	}
	if r.in[0] <= r.Height || r.in[1] <= r.Width {
		top, left, _, _ := aspectCrop(r.in, r.Height, r.Width)
		y, cropped := cropImages(s, x, r.in, top, left, r.Height, r.Width)
		return resizeImages(s, y, cropped, r.Height, r.Width, configs.InterpolationBilinear)
	}
	// Keras casts uniform(0, n) to int32: the corner is floor(u·n), u in [0, 1) (at most
	// n − 1 however u·n rounds).
	corner := func(n int) tf.Output {
		c := op.Floor(s.Op("Floor"), imageUniform(s, x, 1, 0, float64(n)))
		return op.Minimum(s.Op("Minimum"), c, s.Const(float32(n-1)))
	}
	return r.apply(x, op.ConcatV2(s.Op("ConcatV2"), []tf.Output{corner(r.in[0] - r.Height + 1), corner(r.in[1] - r.Width + 1)}, s.Const(int32(1))))
}

// apply crops each image at corner (float32 [batch, 2] of integers: [top, left]).
func (r *RandomCrop) apply(x, corner tf.Output) tf.Output {
	s := r.scope
	top, left := column(s, corner, 0), column(s, corner, 1)
	one := op.OnesLike(s.Op("OnesLike"), top)
	// Output pixel (x, y) reads input pixel (x + left, y + top): integers, read exactly by
	// nearest interpolation, never outside the image.
	transforms := transformRows(s, top, one, tf.Output{}, left, tf.Output{}, one, top)
	return affineTransform(s, x, transforms, r.Height, r.Width, configs.InterpolationNearest, configs.FillConstant, 0)
}

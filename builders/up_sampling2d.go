package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerUpSampling2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		u := NewUpSampling2D(name)
		u.Size, u.Interpolation = c.Pair("size"), c.String("interpolation")
		return u, nil
	})
}

// Keras's UpSampling2D defaults (keras/src/layers/reshaping/up_sampling2d.py): size (2, 2).
const (
	UpSamplingSize          = 2
	UpSamplingInterpolation = "nearest"
)

// UpSampling2D is Keras's UpSampling2D (channels_last) with nearest interpolation: each
// row repeated size[0] times and each column size[1] times, [batch, h, w, c] →
// [batch, size[0]·h, size[1]·w, c]. No weights. Computed as Keras does for "nearest"
// (repeat along both axes), by Reshape to [batch, h, 1, w, 1, c], Tile and Reshape back.
type UpSampling2D struct {
	base
	Size          [2]int
	Interpolation string

	in Shape
}

// NewUpSampling2D returns an UpSampling2D layer with Keras's defaults (size (2, 2),
// nearest).
func NewUpSampling2D(name string) *UpSampling2D {
	return &UpSampling2D{base: base{name: name}, Size: [2]int{UpSamplingSize, UpSamplingSize}, Interpolation: UpSamplingInterpolation}
}

func (u *UpSampling2D) Type() string { return "UpSampling2D" }

func (u *UpSampling2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(u, in, "(None, height, width, channels)")
	}
	if err := checkPositive(u, "size", u.Size[0], u.Size[1]); err != nil {
		return nil, err
	}
	if err := checkChoice(u, "interpolation", u.Interpolation, UpSamplingInterpolation); err != nil {
		return nil, err
	}
	u.begin(s)
	u.in = in
	return Shape{u.Size[0] * in[0], u.Size[1] * in[1], in[2]}, nil
}

func (u *UpSampling2D) Call(x tf.Output, training bool) tf.Output {
	return upSampling2DOp(u.scope, x, u.in, u.Size)
}

// upSampling2DOp repeats the rows and columns of x (of shape in) size times each.
func upSampling2DOp(s *graphs.Scope, x tf.Output, in Shape, size [2]int) tf.Output {
	h, w, c := int32(in[0]), int32(in[1]), int32(in[2])
	y := op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1, h, 1, w, 1, c}))
	y = op.Tile(s.Op("Tile"), y, s.Const([]int32{1, 1, int32(size[0]), 1, int32(size[1]), 1}))
	return op.Reshape(s.Op("Reshape"), y, s.Const([]int32{-1, h * int32(size[0]), w * int32(size[1]), c}))
}

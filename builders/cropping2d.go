package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerCropping2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewCropping2D(name, c.Pair("cropping")), nil
	})
}

// Cropping2D is Keras's Cropping2D with symmetric cropping: Cropping[0] rows removed at
// the top and at the bottom, Cropping[1] columns at the left and at the right,
// [batch, h, w, c] → [batch, h − 2·ch, w − 2·cw, c].
type Cropping2D struct {
	base
	Cropping [2]int
	out      Shape
}

// NewCropping2D returns a Cropping2D layer (Keras's default cropping is none).
func NewCropping2D(name string, cropping [2]int) *Cropping2D {
	return &Cropping2D{base: base{name: name}, Cropping: cropping}
}

func (c *Cropping2D) Type() string { return "Cropping2D" }

func (c *Cropping2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(c, in, "(None, height, width, channels)")
	}
	k := c.Cropping
	if k[0] < 0 || k[1] < 0 || 2*k[0] >= in[0] || 2*k[1] >= in[1] {
		return nil, shapeError(c, in, "an image larger than twice the cropping on each axis")
	}
	c.begin(s)
	c.out = Shape{in[0] - 2*k[0], in[1] - 2*k[1], in[2]}
	return c.out, nil
}

func (c *Cropping2D) Call(x tf.Output, training bool) tf.Output {
	s := c.scope
	begin := []int32{0, int32(c.Cropping[0]), int32(c.Cropping[1]), 0}
	size := []int32{-1, int32(c.out[0]), int32(c.out[1]), -1}
	return op.Slice(s.Op("Slice"), x, s.Const(begin), s.Const(size))
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerCropping2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewCropping2D(name, c.Padding("cropping")), nil
	})
}

// Cropping2D is Keras's Cropping2D: Cropping is ((top, bottom), (left, right)), rows
// removed at the top and bottom and columns at the left and right, [batch, h, w, c] →
// [batch, h − top − bottom, w − left − right, c].
type Cropping2D struct {
	base
	Cropping [2][2]int
	out      Shape
}

// NewCropping2D returns a Cropping2D layer (Keras's default cropping is none). A
// symmetric cropping of h rows and w columns is SymmetricPadding(h, w).
func NewCropping2D(name string, cropping [2][2]int) *Cropping2D {
	return &Cropping2D{base: base{name: name}, Cropping: cropping}
}

func (c *Cropping2D) Type() string { return "Cropping2D" }

func (c *Cropping2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(c, in, "(None, height, width, channels)")
	}
	k := c.Cropping
	h, w := in[0]-k[0][0]-k[0][1], in[1]-k[1][0]-k[1][1]
	if min(k[0][0], k[0][1], k[1][0], k[1][1]) < 0 || h <= 0 || w <= 0 {
		return nil, shapeError(c, in, "an image larger than the cropping on each axis")
	}
	c.begin(s)
	c.out = Shape{h, w, in[2]}
	return c.out, nil
}

func (c *Cropping2D) Call(x tf.Output, training bool) tf.Output {
	s := c.scope
	begin := []int32{0, int32(c.Cropping[0][0]), int32(c.Cropping[1][0]), 0}
	size := []int32{-1, int32(c.out[0]), int32(c.out[1]), -1}
	return op.Slice(s.Op("Slice"), x, s.Const(begin), s.Const(size))
}

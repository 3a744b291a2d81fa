package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerZeroPadding2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewZeroPadding2D(name, c.Pair("padding")), nil
	})
}

// ZeroPadding2D is Keras's ZeroPadding2D with symmetric padding: Padding[0] rows of zeros
// above and below, Padding[1] columns left and right, [batch, h, w, c] →
// [batch, h + 2·ph, w + 2·pw, c].
type ZeroPadding2D struct {
	base
	Padding [2]int
}

// NewZeroPadding2D returns a ZeroPadding2D layer (Keras's default padding is [1, 1]).
func NewZeroPadding2D(name string, padding [2]int) *ZeroPadding2D {
	return &ZeroPadding2D{base: base{name: name}, Padding: padding}
}

func (z *ZeroPadding2D) Type() string { return "ZeroPadding2D" }

func (z *ZeroPadding2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(z, in, "(None, height, width, channels)")
	}
	if z.Padding[0] < 0 || z.Padding[1] < 0 {
		return nil, shapeError(z, in, "a padding >= 0")
	}
	z.begin(s)
	return Shape{in[0] + 2*z.Padding[0], in[1] + 2*z.Padding[1], in[2]}, nil
}

func (z *ZeroPadding2D) Call(x tf.Output, training bool) tf.Output {
	s := z.scope
	h, w := int32(z.Padding[0]), int32(z.Padding[1])
	return op.Pad(s.Op("Pad"), x, s.Const([][]int32{{0, 0}, {h, h}, {w, w}, {0, 0}}))
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerZeroPadding2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewZeroPadding2D(name, c.Padding("padding")), nil
	})
}

// ZeroPadding2D is Keras's ZeroPadding2D: Padding is ((top, bottom), (left, right)), rows
// of zeros above and below and columns left and right, [batch, h, w, c] →
// [batch, h + top + bottom, w + left + right, c].
type ZeroPadding2D struct {
	base
	Padding [2][2]int
}

// SymmetricPadding is a ZeroPadding2D padding of h rows above and below and w columns left and
// right (Keras's padding=(h, w)).
func SymmetricPadding(h, w int) [2][2]int { return [2][2]int{{h, h}, {w, w}} }

// NewZeroPadding2D returns a ZeroPadding2D layer (Keras's default padding is 1 on every
// side).
func NewZeroPadding2D(name string, padding [2][2]int) *ZeroPadding2D {
	return &ZeroPadding2D{base: base{name: name}, Padding: padding}
}

func (z *ZeroPadding2D) Type() string { return "ZeroPadding2D" }

func (z *ZeroPadding2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(z, in, "(None, height, width, channels)")
	}
	p := z.Padding
	if min(p[0][0], p[0][1], p[1][0], p[1][1]) < 0 {
		return nil, shapeError(z, in, "a padding >= 0")
	}
	z.begin(s)
	return Shape{in[0] + p[0][0] + p[0][1], in[1] + p[1][0] + p[1][1], in[2]}, nil
}

func (z *ZeroPadding2D) Call(x tf.Output, training bool) tf.Output {
	s := z.scope
	p := z.Padding
	return op.Pad(s.Op("Pad"), x, s.Const([][]int32{{0, 0},
		{int32(p[0][0]), int32(p[0][1])}, {int32(p[1][0]), int32(p[1][1])}, {0, 0}}))
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerAveragePooling2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		a := NewAveragePooling2D(name, c.Pair("pool_size"))
		a.Strides, a.Padding = c.Pair("strides"), c.String("padding")
		return a, nil
	})
}

// AveragePooling2D is Keras's AveragePooling2D (channels_last): [batch, h, w, c] →
// [batch, h', w', c], the mean over pool_size windows moved by strides; padding "valid" or
// "same" (the mean over the window's part inside the image, as TensorFlow's AvgPool and
// so Keras compute it). Shapes as MaxPooling2D; a zero Strides means pool_size. Keras has
// no default pool_size here. No weights. TensorFlow's AvgPool (whose gradient, AvgPoolGrad,
// TensorFlow 2.18's C++ registry has).
type AveragePooling2D struct {
	base
	PoolSize, Strides [2]int
	Padding           string
}

// NewAveragePooling2D returns an AveragePooling2D layer (strides = pool_size, valid).
func NewAveragePooling2D(name string, poolSize [2]int) *AveragePooling2D {
	return &AveragePooling2D{base: base{name: name}, PoolSize: poolSize, Padding: "valid"}
}

func (a *AveragePooling2D) Type() string { return "AveragePooling2D" }

func (a *AveragePooling2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	out, err := pool2DShape(a, in, a.PoolSize, a.Strides, a.Padding)
	if err != nil {
		return nil, err
	}
	a.begin(s)
	return out, nil
}

func (a *AveragePooling2D) Call(x tf.Output, training bool) tf.Output {
	s := a.scope
	k, st := pool2DWindows(a.PoolSize, a.Strides)
	return op.AvgPool(s.Op("AvgPool"), x, k, st, tfPadding(a.Padding))
}

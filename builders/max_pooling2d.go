package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerMaxPooling2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		m := NewMaxPooling2D(name)
		m.PoolSize, m.Strides, m.Padding = c.Pair("pool_size"), c.Pair("strides"), c.String("padding")
		return m, nil
	})
}

// PoolSize2D is each side of Keras's MaxPooling2D default pool_size, (2, 2)
// (keras/src/layers/pooling/max_pooling2d.py).
const PoolSize2D = 2

// MaxPooling2D is Keras's MaxPooling2D (channels_last): [batch, h, w, c] →
// [batch, h', w', c], the maximum over pool_size windows moved by strides; padding "valid"
// (h' = ⌊(h − ph)/sh⌋ + 1) or "same" (h' = ⌈h/sh⌉). A zero Strides means pool_size (Keras's
// strides=None). No weights. TensorFlow's MaxPool.
type MaxPooling2D struct {
	base
	PoolSize, Strides [2]int
	Padding           string
}

// NewMaxPooling2D returns a MaxPooling2D layer with Keras's defaults: pool_size (2, 2),
// strides = pool_size, padding valid.
func NewMaxPooling2D(name string) *MaxPooling2D {
	return &MaxPooling2D{base: base{name: name}, PoolSize: [2]int{PoolSize2D, PoolSize2D}, Padding: "valid"}
}

func (m *MaxPooling2D) Type() string { return "MaxPooling2D" }

func (m *MaxPooling2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	out, err := pool2DShape(m, in, m.PoolSize, m.Strides, m.Padding)
	if err != nil {
		return nil, err
	}
	m.begin(s)
	return out, nil
}

func (m *MaxPooling2D) Call(x tf.Output, training bool) tf.Output {
	s := m.scope
	k, st := pool2DWindows(m.PoolSize, m.Strides)
	return op.MaxPool(s.Op("MaxPool"), x, k, st, tfPadding(m.Padding))
}

// pool2DStrides is strides, or pool when strides is zero (Keras's strides=None).
func pool2DStrides(pool, strides [2]int) [2]int {
	if strides == [2]int{} {
		return pool
	}
	return strides
}

// pool2DWindows returns TensorFlow's NHWC ksize and strides.
func pool2DWindows(pool, strides [2]int) (ksize, stride []int64) {
	st := pool2DStrides(pool, strides)
	return []int64{1, int64(pool[0]), int64(pool[1]), 1}, []int64{1, int64(st[0]), int64(st[1]), 1}
}

// pool2DShape checks a 2-D pooling layer's arguments and input and returns its output
// shape (Keras's compute_pooling_output_shape).
func pool2DShape(l Layer, in Shape, pool, strides [2]int, padding string) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(l, in, "(None, height, width, channels)")
	}
	if err := checkPositive(l, "pool_size", pool[0], pool[1]); err != nil {
		return nil, err
	}
	st := pool2DStrides(pool, strides)
	if err := checkPositive(l, "strides", st[0], st[1]); err != nil {
		return nil, err
	}
	if err := checkChoice(l, "padding", padding, "valid", "same"); err != nil {
		return nil, err
	}
	h := configs.ConvOutputLength(in[0], pool[0], st[0], 1, padding)
	w := configs.ConvOutputLength(in[1], pool[1], st[1], 1, padding)
	if h <= 0 || w <= 0 {
		return nil, shapeError(l, in, "an image at least as large as pool_size")
	}
	return Shape{h, w, in[2]}, nil
}

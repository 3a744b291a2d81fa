package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerMaxPooling1D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		m := NewMaxPooling1D(name, c.Int("pool_size"))
		m.Strides, m.Padding = c.Int("strides"), c.String("padding")
		return m, nil
	})
}

// MaxPooling1D is Keras's MaxPooling1D: [batch, steps, channels] → [batch, new_steps,
// channels], the maximum over windows of pool_size moved by strides (default pool_size).
type MaxPooling1D struct {
	base
	PoolSize, Strides int
	Padding           string
}

// NewMaxPooling1D returns a MaxPooling1D layer (strides = pool_size, valid).
func NewMaxPooling1D(name string, poolSize int) *MaxPooling1D {
	return &MaxPooling1D{base: base{name: name}, PoolSize: poolSize, Strides: poolSize, Padding: "valid"}
}

func (m *MaxPooling1D) Type() string { return "MaxPooling1D" }

func (m *MaxPooling1D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 {
		return nil, shapeError(m, in, "(None, steps, channels)")
	}
	steps := configs.ConvOutputLength(in[0], m.PoolSize, m.Strides, 1, m.Padding)
	if steps <= 0 {
		return nil, shapeError(m, in, "at least pool_size steps")
	}
	m.begin(s)
	return Shape{steps, in[1]}, nil
}

func (m *MaxPooling1D) Call(x tf.Output, training bool) tf.Output {
	return maxPool1DOp(m.scope, x, m.PoolSize, m.Strides, m.Padding)
}

func maxPool1DOp(s *graphs.Scope, x tf.Output, pool, stride int, padding string) tf.Output {
	x4 := op.ExpandDims(s.Op("ExpandDims"), x, s.Const(int32(1)))
	y := op.MaxPool(s.Op("MaxPool"), x4, []int64{1, 1, int64(pool), 1}, []int64{1, 1, int64(stride), 1}, tfPadding(padding))
	return op.Squeeze(s.Op("Squeeze"), y, op.SqueezeAxis([]int64{1}))
}

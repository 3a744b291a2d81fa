package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerConv1DTranspose, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewConv1DTranspose(name, c.Int("filters"), c.Int("kernel_size"))
		l.Strides, l.Padding = c.Int("strides"), c.String("padding")
		l.Activation, l.UseBias = c.String("activation"), c.Bool("use_bias")
		l.setRegularizers(c)
		return l, nil
	})
}

// Conv1DTranspose is Keras's Conv1DTranspose: [batch, steps, c] → [batch, steps', filters]
// with steps' = steps·strides ("same") or steps·strides + max(k − strides, 0) ("valid").
// "kernel" is [k, filters, c] (Keras's layout, glorot_uniform), "bias" [filters] (zeros).
// Computed as a Conv2DTranspose of a height-1 image (graphs.Scope.Conv2DTranspose), as
// Keras's TensorFlow backend does through conv1d_transpose.
type Conv1DTranspose struct {
	base
	Regularizers
	Filters, KernelSize, Strides int
	Padding, Activation          string
	UseBias                      bool

	out          Shape
	kernel, bias *graphs.Variable
}

// NewConv1DTranspose returns a Conv1DTranspose layer with Keras's defaults (strides 1,
// valid, bias on, linear).
func NewConv1DTranspose(name string, filters, kernelSize int) *Conv1DTranspose {
	return &Conv1DTranspose{base: base{name: name}, Filters: filters, KernelSize: kernelSize, Strides: 1, Padding: "valid", UseBias: true}
}

func (c *Conv1DTranspose) Type() string { return "Conv1DTranspose" }

func (c *Conv1DTranspose) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 || in[0] <= 0 {
		return nil, shapeError(c, in, "(None, steps, channels)")
	}
	if err := checkActivation(c.Activation); err != nil {
		return nil, err
	}
	n, ok := configs.DeconvOutputLength(in[0], c.KernelSize, c.Strides, c.Padding)
	if !ok {
		return nil, shapeError(c, in, fmt.Sprintf("steps whose output at strides %d fits int64", c.Strides))
	}
	c.begin(s)
	c.out = Shape{n, c.Filters}
	c.kernel = c.variable("kernel", []int64{int64(c.KernelSize), int64(c.Filters), int64(in[1])}, graphs.GlorotUniform{}, true)
	if c.UseBias {
		c.bias = c.variable("bias", []int64{int64(c.Filters)}, graphs.Zeros{}, true)
	}
	return c.out, nil
}

func (c *Conv1DTranspose) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if c.UseBias {
		b = c.scope.Read(c.bias)
	}
	return c.recordActivity(c.scope, activate(c.scope, c.Activation, conv1DTransposeOp(c.scope, x, c.scope.Read(c.kernel), b, c.out, c.Strides, c.Padding)))
}

// conv1DTransposeOp is the Conv1DTranspose math on tensors: x [batch, steps, c] as a
// [batch, 1, steps, c] image, the kernel as [1, k, filters, c]; out is [steps', filters].
func conv1DTransposeOp(s *graphs.Scope, x, kernel, b tf.Output, out Shape, stride int, padding string) tf.Output {
	x4 := op.ExpandDims(s.Op("ExpandDims"), x, s.Const(int32(1)))
	k4 := op.ExpandDims(s.Op("ExpandDims"), kernel, s.Const(int32(0)))
	y := s.Conv2DTranspose(x4, k4, [3]int64{1, int64(out[0]), int64(out[1])}, [2]int{1, stride}, tfPadding(padding))
	y = op.Squeeze(s.Op("Squeeze"), y, op.SqueezeAxis([]int64{1}))
	if b.Op != nil {
		y = s.BiasAdd(y, b)
	}
	return y
}

// Penalty is the layer's regularization penalty (see Regularized).
func (c *Conv1DTranspose) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	return c.penalty(s, dtype, c.kernel, c.bias)
}

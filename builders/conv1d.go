package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerConv1D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewConv1D(name, c.Int("filters"), c.Int("kernel_size"), c.String("activation"))
		l.Strides, l.Padding, l.UseBias, l.DilationRate = c.Int("strides"), c.String("padding"), c.Bool("use_bias"), c.Int("dilation_rate")
		l.setRegularizers(c)
		return l, nil
	})
}

// Conv1D is Keras's Conv1D: [batch, steps, channels] → [batch, new_steps, filters], with
// "kernel" [kernel_size, channels, filters] (glorot_uniform) and "bias" [filters] (zeros).
// Padding "valid" (new_steps = ⌊(steps − k)/strides⌋ + 1), "same" (⌈steps/strides⌉) or
// "causal" (left-padded by k−1, then valid). Computed as Keras does, by Conv2D on a
// height-1 image. DilationRate spaces the kernel's taps (k becomes (k − 1)·rate + 1; see
// dilateKernel); not together with Strides above 1, as in Keras.
type Conv1D struct {
	base
	Regularizers
	Filters, KernelSize, Strides, DilationRate int
	Padding, Activation                        string
	UseBias                                    bool

	kernel, bias *graphs.Variable
}

// NewConv1D returns a Conv1D layer with Keras's defaults (strides 1, valid, bias).
func NewConv1D(name string, filters, kernelSize int, activation string) *Conv1D {
	return &Conv1D{base: base{name: name}, Filters: filters, KernelSize: kernelSize, Strides: 1, DilationRate: 1, Padding: "valid", Activation: activation, UseBias: true}
}

func (c *Conv1D) Type() string { return "Conv1D" }

func (c *Conv1D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 {
		return nil, shapeError(c, in, "(None, steps, channels)")
	}
	if err := checkActivation(c.Activation); err != nil {
		return nil, err
	}
	if c.Strides > 1 && c.DilationRate > 1 {
		return nil, fmt.Errorf("layer %q (Conv1D): strides %d > 1 with dilation_rate %d > 1 (Keras refuses them together)", c.name, c.Strides, c.DilationRate)
	}
	steps := configs.ConvOutputLength(in[0], c.KernelSize, c.Strides, c.DilationRate, c.Padding)
	if steps <= 0 {
		return nil, shapeError(c, in, "at least kernel_size steps")
	}
	c.begin(s)
	c.kernel = c.variable("kernel", []int64{int64(c.KernelSize), int64(in[1]), int64(c.Filters)}, graphs.GlorotUniform{}, true)
	if c.UseBias {
		c.bias = c.variable("bias", []int64{int64(c.Filters)}, graphs.Zeros{}, true)
	}
	return Shape{steps, c.Filters}, nil
}

func (c *Conv1D) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if c.UseBias {
		b = c.scope.Read(c.bias)
	}
	return c.recordActivity(c.scope, activate(c.scope, c.Activation, dilatedConv1DOp(c.scope, x, c.scope.Read(c.kernel), b, c.KernelSize, c.Strides, c.DilationRate, c.Padding)))
}

// conv1DOp is the Conv1D math on tensors.
func conv1DOp(s *graphs.Scope, x, kernel, b tf.Output, k, stride int, padding string) tf.Output {
	return dilatedConv1DOp(s, x, kernel, b, k, stride, 1, padding)
}

// dilatedConv1DOp is the Conv1D math with a dilation rate: causal padding pads the dilated
// extent, (k − 1)·rate.
func dilatedConv1DOp(s *graphs.Scope, x, kernel, b tf.Output, k, stride, rate int, padding string) tf.Output {
	rate = max(rate, 1)
	if padding == "causal" {
		x = op.Pad(s.Op("Pad"), x, s.Const([][]int32{{0, 0}, {int32((k - 1) * rate), 0}, {0, 0}}))
		padding = "valid"
	}
	x4 := op.ExpandDims(s.Op("ExpandDims"), x, s.Const(int32(1)))
	k4 := dilateKernel(s, op.ExpandDims(s.Op("ExpandDims"), kernel, s.Const(int32(0))), [2]int{1, k}, [2]int{1, rate})
	y := s.Conv2D(x4, k4, [2]int{1, stride}, tfPadding(padding))
	y = op.Squeeze(s.Op("Squeeze"), y, op.SqueezeAxis([]int64{1}))
	if b.Op != nil {
		y = s.BiasAdd(y, b)
	}
	return y
}

func tfPadding(p string) string {
	if p == "same" {
		return "SAME"
	}
	return "VALID"
}

// Penalty is the layer's regularization penalty (see Regularized).
func (c *Conv1D) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	return c.penalty(s, dtype, c.kernel, c.bias)
}

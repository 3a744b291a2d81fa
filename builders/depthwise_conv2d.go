package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerDepthwiseConv2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewDepthwiseConv2D(name, c.Pair("kernel_size"))
		l.Strides, l.Padding, l.DepthMultiplier = c.Pair("strides"), c.String("padding"), c.Int("depth_multiplier")
		l.DilationRate, l.Activation, l.UseBias = c.Pair("dilation_rate"), c.String("activation"), c.Bool("use_bias")
		l.KernelRegularizer = c.Regularizer("depthwise_regularizer")
		l.BiasRegularizer = c.Regularizer("bias_regularizer")
		l.ActivityRegularizer = c.Regularizer("activity_regularizer")
		return l, nil
	})
}

// DepthwiseConv2D is Keras's DepthwiseConv2D: each input channel convolved on its own with
// DepthMultiplier filters, [batch, h, w, c] → [batch, h', w', c·depth_multiplier], output
// channel i·m + j being channel i's filter j. Keras 3's weights: "kernel" [kh, kw, c, m]
// (glorot_uniform; Keras 2 named it depthwise_kernel) and "bias" [c·m] (zeros). h' as
// Conv2D's, with the kernel's dilated extent (see dilateKernel); strides and dilation may
// both exceed 1. Its depthwise_regularizer is the embedded KernelRegularizer. Computed by
// TensorFlow's DepthwiseConv2dNative, which has registered gradients.
type DepthwiseConv2D struct {
	base
	Regularizers
	KernelSize, Strides, DilationRate [2]int
	DepthMultiplier                   int
	Padding, Activation               string
	UseBias                           bool

	kernel, bias *graphs.Variable
}

// NewDepthwiseConv2D returns a DepthwiseConv2D layer with Keras's defaults (strides 1,
// valid, depth_multiplier 1, no dilation, bias on, linear).
func NewDepthwiseConv2D(name string, kernel [2]int) *DepthwiseConv2D {
	return &DepthwiseConv2D{base: base{name: name}, KernelSize: kernel, Strides: [2]int{1, 1}, DilationRate: [2]int{1, 1},
		DepthMultiplier: 1, Padding: "valid", UseBias: true}
}

func (c *DepthwiseConv2D) Type() string { return "DepthwiseConv2D" }

func (c *DepthwiseConv2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	out, err := depthwiseShape(c, in, c.KernelSize, c.Strides, c.DilationRate, c.Padding, c.DepthMultiplier, c.Activation)
	if err != nil {
		return nil, err
	}
	c.begin(s)
	c.kernel = c.variable("kernel", []int64{int64(c.KernelSize[0]), int64(c.KernelSize[1]), int64(in[2]), int64(c.DepthMultiplier)}, graphs.GlorotUniform{}, true)
	if c.UseBias {
		c.bias = c.variable("bias", []int64{int64(out[2])}, graphs.Zeros{}, true)
	}
	return out, nil
}

// depthwiseShape checks a depthwise convolution's arguments against its input and returns
// its output shape, [h', w', c·m].
func depthwiseShape(l Layer, in Shape, k, strides, rate [2]int, padding string, m int, activation string) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(l, in, "(None, height, width, channels)")
	}
	if strides[0] != strides[1] {
		return nil, fmt.Errorf("layer %q (%s): strides %v: TensorFlow's CPU depthwise convolution takes equal strides only", l.Name(), l.Type(), strides)
	}
	if m < 1 {
		return nil, fmt.Errorf("layer %q (%s): depth_multiplier %d, want > 0", l.Name(), l.Type(), m)
	}
	if err := checkActivation(activation); err != nil {
		return nil, err
	}
	h := configs.ConvOutputLength(in[0], k[0], strides[0], rate[0], padding)
	w := configs.ConvOutputLength(in[1], k[1], strides[1], rate[1], padding)
	if h <= 0 || w <= 0 {
		return nil, shapeError(l, in, "an image at least as large as the (dilated) kernel")
	}
	return Shape{h, w, in[2] * m}, nil
}

func (c *DepthwiseConv2D) Call(x tf.Output, training bool) tf.Output {
	s := c.scope
	y := depthwiseConv2DOp(s, x, dilateKernel(s, s.Read(c.kernel), c.KernelSize, c.DilationRate), c.Strides, c.Padding)
	if c.UseBias {
		y = s.BiasAdd(y, s.Read(c.bias))
	}
	return c.recordActivity(s, activate(s, c.Activation, y))
}

// depthwiseConv2DOp is DepthwiseConv2dNative over NHWC (the kernel already dilated).
func depthwiseConv2DOp(s *graphs.Scope, x, kernel tf.Output, strides [2]int, padding string) tf.Output {
	return op.DepthwiseConv2dNative(s.Op("DepthwiseConv2dNative"), x, kernel,
		[]int64{1, int64(strides[0]), int64(strides[1]), 1}, tfPadding(padding))
}

// Penalty is the layer's regularization penalty (depthwise, bias and activity; see
// Regularized).
func (c *DepthwiseConv2D) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	return c.penalty(s, dtype, c.kernel, c.bias)
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerSeparableConv2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewSeparableConv2D(name, c.Int("filters"), c.Pair("kernel_size"))
		l.Strides, l.Padding, l.DepthMultiplier = c.Pair("strides"), c.String("padding"), c.Int("depth_multiplier")
		l.DilationRate, l.Activation, l.UseBias = c.Pair("dilation_rate"), c.String("activation"), c.Bool("use_bias")
		l.KernelRegularizer = c.Regularizer("depthwise_regularizer")
		l.PointwiseRegularizer = c.Regularizer("pointwise_regularizer")
		l.BiasRegularizer = c.Regularizer("bias_regularizer")
		l.ActivityRegularizer = c.Regularizer("activity_regularizer")
		return l, nil
	})
}

// SeparableConv2D is Keras's SeparableConv2D (tf.nn.separable_conv2d): a depthwise
// convolution (each of the c input channels on its own, DepthMultiplier filters each) then
// a 1×1 convolution to Filters channels: [batch, h, w, c] → [batch, h', w', filters].
// Weights as Keras's: "depthwise_kernel" [kh, kw, c, m], "pointwise_kernel"
// [1, 1, c·m, filters] (both glorot_uniform), "bias" [filters] (zeros). h' as
// DepthwiseConv2D's. Its depthwise_regularizer is the embedded KernelRegularizer.
type SeparableConv2D struct {
	base
	Regularizers
	PointwiseRegularizer              configs.Regularizer
	Filters                           int
	KernelSize, Strides, DilationRate [2]int
	DepthMultiplier                   int
	Padding, Activation               string
	UseBias                           bool

	depthwise, pointwise, bias *graphs.Variable
}

// NewSeparableConv2D returns a SeparableConv2D layer with Keras's defaults (strides 1,
// valid, depth_multiplier 1, no dilation, bias on, linear).
func NewSeparableConv2D(name string, filters int, kernel [2]int) *SeparableConv2D {
	return &SeparableConv2D{base: base{name: name}, Filters: filters, KernelSize: kernel, Strides: [2]int{1, 1},
		DilationRate: [2]int{1, 1}, DepthMultiplier: 1, Padding: "valid", UseBias: true}
}

func (c *SeparableConv2D) Type() string { return "SeparableConv2D" }

func (c *SeparableConv2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	mid, err := depthwiseShape(c, in, c.KernelSize, c.Strides, c.DilationRate, c.Padding, c.DepthMultiplier, c.Activation)
	if err != nil {
		return nil, err
	}
	c.begin(s)
	c.depthwise = c.variable("depthwise_kernel", []int64{int64(c.KernelSize[0]), int64(c.KernelSize[1]), int64(in[2]), int64(c.DepthMultiplier)}, graphs.GlorotUniform{}, true)
	c.pointwise = c.variable("pointwise_kernel", []int64{1, 1, int64(mid[2]), int64(c.Filters)}, graphs.GlorotUniform{}, true)
	if c.UseBias {
		c.bias = c.variable("bias", []int64{int64(c.Filters)}, graphs.Zeros{}, true)
	}
	return Shape{mid[0], mid[1], c.Filters}, nil
}

func (c *SeparableConv2D) Call(x tf.Output, training bool) tf.Output {
	s := c.scope
	var b tf.Output
	if c.UseBias {
		b = s.Read(c.bias)
	}
	y := separableConv2DOp(s, x, dilateKernel(s, s.Read(c.depthwise), c.KernelSize, c.DilationRate), s.Read(c.pointwise), b, c.Strides, c.Padding)
	return c.recordActivity(s, activate(s, c.Activation, y))
}

// separableConv2DOp is tf.nn.separable_conv2d then the bias: DepthwiseConv2dNative with
// the strides and padding, then a 1×1 Conv2D ("VALID", stride 1).
// The bias's gradient takes the form autotuning chooses, as Conv2D's (conv2DOp).
func separableConv2DOp(s *graphs.Scope, x, depthwise, pointwise, b tf.Output, strides [2]int, padding string) tf.Output {
	y := depthwiseConv2DOp(s, x, depthwise, strides, padding)
	if b.Op == nil {
		return s.Conv2D(y, pointwise, [2]int{1, 1}, "VALID")
	}
	return s.Conv2DBias(y, pointwise, b, [2]int{1, 1}, "VALID")
}

// Penalty is the layer's regularization penalty (depthwise, pointwise, bias and activity;
// see Regularized).
func (c *SeparableConv2D) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	p := c.penalty(s, dtype, c.depthwise, c.bias)
	if c.PointwiseRegularizer.None() || !c.pointwise.Trainable { // a frozen layer's weights add none
		return p
	}
	ws := s.WithDType(dtype)
	q := regularizerOp(ws.Sub("pointwise_regularizer"), c.PointwiseRegularizer, ws.Read(c.pointwise))
	if p.Op == nil {
		return q
	}
	return op.AddV2(s.Op("AddV2"), p, q)
}

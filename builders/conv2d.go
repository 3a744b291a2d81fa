package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerConv2D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewConv2D(name, c.Int("filters"), c.Pair("kernel_size"), c.Pair("strides"), c.String("padding"))
		l.Activation, l.UseBias, l.DilationRate = c.String("activation"), c.Bool("use_bias"), c.Pair("dilation_rate")
		l.setRegularizers(c)
		return l, nil
	})
}

// Conv2D is Keras's Conv2D on NHWC images: [batch, h, w, c] → [batch, h', w', filters], with
// "kernel" [kh, kw, c, filters] (glorot_uniform) and "bias" [filters] (zeros). Padding
// "valid" (h' = ⌊(h − kh)/sh⌋ + 1) or "same" (h' = ⌈h/sh⌉). DilationRate spaces the
// kernel's taps (kh becomes (kh − 1)·rh + 1; see dilateKernel); Keras refuses it above 1
// together with strides above 1, and so does Build.
type Conv2D struct {
	base
	Regularizers
	Filters                           int
	KernelSize, Strides, DilationRate [2]int
	Padding, Activation               string
	UseBias                           bool

	kernel, bias *graphs.Variable
}

// NewConv2D returns a Conv2D layer with Keras's defaults (bias on, activation linear).
func NewConv2D(name string, filters int, kernel, strides [2]int, padding string) *Conv2D {
	return &Conv2D{base: base{name: name}, Filters: filters, KernelSize: kernel, Strides: strides, DilationRate: [2]int{1, 1}, Padding: padding, UseBias: true}
}

func (c *Conv2D) Type() string { return "Conv2D" }

func (c *Conv2D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(c, in, "(None, height, width, channels)")
	}
	if err := checkActivation(c.Activation); err != nil {
		return nil, err
	}
	d := dilationOrOne(c.DilationRate)
	if max(c.Strides[0], c.Strides[1]) > 1 && max(d[0], d[1]) > 1 {
		return nil, fmt.Errorf("layer %q (Conv2D): strides %v > 1 with dilation_rate %v > 1 (Keras refuses them together)", c.name, c.Strides, d)
	}
	h := configs.ConvOutputLength(in[0], c.KernelSize[0], c.Strides[0], d[0], c.Padding)
	w := configs.ConvOutputLength(in[1], c.KernelSize[1], c.Strides[1], d[1], c.Padding)
	if h <= 0 || w <= 0 {
		return nil, shapeError(c, in, "an image at least as large as the kernel")
	}
	c.begin(s)
	c.kernel = c.variable("kernel", []int64{int64(c.KernelSize[0]), int64(c.KernelSize[1]), int64(in[2]), int64(c.Filters)}, graphs.GlorotUniform{}, true)
	if c.UseBias {
		c.bias = c.variable("bias", []int64{int64(c.Filters)}, graphs.Zeros{}, true)
	}
	return Shape{h, w, c.Filters}, nil
}

func (c *Conv2D) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if c.UseBias {
		b = c.scope.Read(c.bias)
	}
	kernel := dilateKernel(c.scope, c.scope.Read(c.kernel), c.KernelSize, c.DilationRate)
	return c.recordActivity(c.scope, activate(c.scope, c.Activation, conv2DOp(c.scope, x, kernel, b, c.Strides, c.Padding)))
}

// conv2DOp is the Conv2D math on tensors. The bias's gradient takes the form autotuning
// chooses (graphs.Scope.Conv2DBias: BiasAddGrad, or a Sum that keeps oneDNN from fusing
// it with the filter gradient).
func conv2DOp(s *graphs.Scope, x, kernel, b tf.Output, strides [2]int, padding string) tf.Output {
	if b.Op == nil {
		return s.Conv2D(x, kernel, strides, tfPadding(padding))
	}
	return s.Conv2DBias(x, kernel, b, strides, tfPadding(padding))
}

// Penalty is the layer's regularization penalty (see Regularized).
func (c *Conv2D) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	return c.penalty(s, dtype, c.kernel, c.bias)
}

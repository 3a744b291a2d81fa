package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerConv2DTranspose, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewConv2DTranspose(name, c.Int("filters"), c.Pair("kernel_size"), c.Pair("strides"), c.String("padding"))
		l.Activation, l.UseBias = c.String("activation"), c.Bool("use_bias")
		l.setRegularizers(c)
		return l, nil
	})
}

// Conv2DTranspose is Keras's Conv2DTranspose (a "deconvolution", the gradient of Conv2D
// with respect to its input): [batch, h, w, c] → [batch, h', w', filters] with
// h' = h·sh ("same") or h·sh + max(kh − sh, 0) ("valid"). "kernel" is
// [kh, kw, filters, c] (Keras's layout, glorot_uniform), "bias" [filters] (zeros).
// Computed as graphs.Scope.Conv2DTranspose computes it (TensorFlow's Conv2DBackpropInput,
// or one Conv2D in the sub-pixel form where that is faster).
type Conv2DTranspose struct {
	base
	Regularizers
	Filters             int
	KernelSize, Strides [2]int
	Padding, Activation string
	UseBias             bool

	out          Shape
	kernel, bias *graphs.Variable
}

// NewConv2DTranspose returns a Conv2DTranspose layer with Keras's defaults (bias on).
func NewConv2DTranspose(name string, filters int, kernel, strides [2]int, padding string) *Conv2DTranspose {
	return &Conv2DTranspose{base: base{name: name}, Filters: filters, KernelSize: kernel, Strides: strides, Padding: padding, UseBias: true}
}

func (c *Conv2DTranspose) Type() string { return "Conv2DTranspose" }

func (c *Conv2DTranspose) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(c, in, "(None, height, width, channels)")
	}
	if err := checkActivation(c.Activation); err != nil {
		return nil, err
	}
	h, okH := configs.DeconvOutputLength(in[0], c.KernelSize[0], c.Strides[0], c.Padding)
	w, okW := configs.DeconvOutputLength(in[1], c.KernelSize[1], c.Strides[1], c.Padding)
	if !okH || !okW {
		return nil, shapeError(c, in, fmt.Sprintf("an image whose output at strides %v fits int64", c.Strides))
	}
	c.begin(s)
	c.out = Shape{h, w, c.Filters}
	c.kernel = c.variable("kernel", []int64{int64(c.KernelSize[0]), int64(c.KernelSize[1]), int64(c.Filters), int64(in[2])}, graphs.GlorotUniform{}, true)
	if c.UseBias {
		c.bias = c.variable("bias", []int64{int64(c.Filters)}, graphs.Zeros{}, true)
	}
	return c.out, nil
}

func (c *Conv2DTranspose) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if c.UseBias {
		b = c.scope.Read(c.bias)
	}
	return c.recordActivity(c.scope, activate(c.scope, c.Activation, conv2DTransposeOp(c.scope, x, c.scope.Read(c.kernel), b, c.out, c.Strides, c.Padding)))
}

// conv2DTransposeOp is the Conv2DTranspose math on tensors; out is the output shape
// without batch.
func conv2DTransposeOp(s *graphs.Scope, x, kernel, b tf.Output, out Shape, strides [2]int, padding string) tf.Output {
	y := s.Conv2DTranspose(x, kernel, [3]int64{int64(out[0]), int64(out[1]), int64(out[2])}, strides, tfPadding(padding))
	if b.Op != nil {
		y = s.BiasAdd(y, b)
	}
	return y
}

// Penalty is the layer's regularization penalty (see Regularized).
func (c *Conv2DTranspose) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	return c.penalty(s, dtype, c.kernel, c.bias)
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerDense, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		d := NewDense(name, c.Int("units"), c.String("activation"))
		d.UseBias = c.Bool("use_bias")
		d.KernelInitializer, d.BiasInitializer = c.String("kernel_initializer"), c.String("bias_initializer")
		d.setRegularizers(c)
		return d, nil
	})
}

// Dense is Keras's Dense: activation(x·kernel + bias), [batch, ..., in] → [batch, ..., units]
// (on the last axis, as Keras applies it to inputs of higher rank).
// Weights "kernel" [in, units] (glorot_uniform) and "bias" [units] (zeros), or the Keras
// initializers KernelInitializer and BiasInitializer name ("" is the default).
type Dense struct {
	base
	Regularizers
	Units      int
	Activation string
	UseBias    bool

	KernelInitializer, BiasInitializer string

	in           Shape
	kernel, bias *graphs.Variable
	logits       tf.Output
}

// NewDense returns a Dense layer with Keras's defaults for the rest (bias on).
func NewDense(name string, units int, activation string) *Dense {
	return &Dense{base: base{name: name}, Units: units, Activation: activation, UseBias: true}
}

func (d *Dense) Type() string { return "Dense" }

func (d *Dense) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) < 1 {
		return nil, shapeError(d, in, "(None, ..., features)")
	}
	d.in = in
	if err := checkActivation(d.Activation); err != nil {
		return nil, err
	}
	kinit, err := initializer(d, "kernel_initializer", d.KernelInitializer, graphs.GlorotUniform{})
	if err != nil {
		return nil, err
	}
	binit, err := initializer(d, "bias_initializer", d.BiasInitializer, graphs.Zeros{})
	if err != nil {
		return nil, err
	}
	d.begin(s)
	d.kernel = d.variable("kernel", []int64{int64(in[len(in)-1]), int64(d.Units)}, kinit, true)
	if d.UseBias {
		d.bias = d.variable("bias", []int64{int64(d.Units)}, binit, true)
	}
	return append(append(Shape{}, in[:len(in)-1]...), d.Units), nil
}

func (d *Dense) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if d.UseBias {
		b = d.scope.Read(d.bias)
	}
	s := d.scope
	if len(d.in) > 1 { // fold the leading axes into the batch, and unfold after
		x = op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1, int32(d.in[len(d.in)-1])}))
	}
	y := denseOp(s, x, d.scope.Read(d.kernel), b)
	if len(d.in) > 1 {
		dims := []int32{-1}
		for _, n := range d.in[:len(d.in)-1] {
			dims = append(dims, int32(n))
		}
		y = op.Reshape(s.Op("Reshape"), y, s.Const(append(dims, int32(d.Units))))
	}
	d.logits = y
	return d.recordActivity(d.scope, activate(d.scope, d.Activation, y))
}

// Penalty is the layer's regularization penalty (see Regularized).
func (d *Dense) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	return d.penalty(s, dtype, d.kernel, d.bias)
}

// Logits is the pre-activation output of the last Call (what a sigmoid's loss is computed
// from, as Keras does for a sigmoid output).
func (d *Dense) Logits() tf.Output { return d.logits }

// denseOp is x·w (+ b): the math of Dense, separate for gradient checks.
func denseOp(s *graphs.Scope, x, w, b tf.Output) tf.Output {
	y := op.MatMul(s.Op("MatMul"), x, w)
	if b.Op != nil {
		y = s.BiasAdd(y, b)
	}
	return y
}

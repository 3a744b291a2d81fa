package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Dense is Keras's Dense: activation(x·kernel + bias), [batch, in] → [batch, units].
// Weights "kernel" [in, units] (glorot_uniform) and "bias" [units] (zeros).
type Dense struct {
	base
	Units      int
	Activation string
	UseBias    bool

	kernel, bias *graphs.Variable
	logits       tf.Output
}

// NewDense returns a Dense layer with Keras's defaults for the rest (bias on).
func NewDense(name string, units int, activation string) *Dense {
	return &Dense{base: base{name: name}, Units: units, Activation: activation, UseBias: true}
}

func (d *Dense) Type() string { return "Dense" }

func (d *Dense) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 1 {
		return nil, shapeError(d, in, "(None, features)")
	}
	if err := checkActivation(d.Activation); err != nil {
		return nil, err
	}
	d.begin(s)
	d.kernel = d.variable("kernel", []int64{int64(in[0]), int64(d.Units)}, graphs.GlorotUniform{}, true)
	if d.UseBias {
		d.bias = d.variable("bias", []int64{int64(d.Units)}, graphs.Zeros{}, true)
	}
	return Shape{d.Units}, nil
}

func (d *Dense) Call(x tf.Output, training bool) tf.Output {
	var b tf.Output
	if d.UseBias {
		b = d.bias.Value()
	}
	y := denseOp(d.scope, x, d.kernel.Value(), b)
	d.logits = y
	return activate(d.scope, d.Activation, y)
}

// Logits is the pre-activation output of the last Call (what a sigmoid's loss is computed
// from, as Keras does for a sigmoid output).
func (d *Dense) Logits() tf.Output { return d.logits }

// denseOp is x·w (+ b): the math of Dense, separate for gradient checks.
func denseOp(s *graphs.Scope, x, w, b tf.Output) tf.Output {
	y := op.MatMul(s.Op("MatMul"), x, w)
	if b.Op != nil {
		y = op.BiasAdd(s.Op("BiasAdd"), y, b)
	}
	return y
}

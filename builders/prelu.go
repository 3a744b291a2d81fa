package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerPReLU, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		p := NewPReLU(name)
		p.AlphaInitializer = c.String("alpha_initializer")
		p.KernelRegularizer = c.Regularizer("alpha_regularizer")
		if c.Has("shared_axes") {
			p.SharedAxes = c.Ints("shared_axes")
		}
		return p, nil
	})
}

// PReLU is Keras's PReLU (He et al. 2015, arXiv:1502.01852): relu(x) − alpha·relu(−x),
// with a learnt "alpha" of the input's shape (without the batch) but 1 along each of
// SharedAxes (Keras's count: 1 is the first axis after the batch). alpha starts at
// AlphaInitializer ("" is Keras's zeros). Shape unchanged. Its alpha_regularizer is the
// embedded Regularizers' KernelRegularizer.
type PReLU struct {
	base
	Regularizers
	AlphaInitializer string
	SharedAxes       []int

	alpha *graphs.Variable
}

// NewPReLU returns a PReLU layer with Keras's defaults (alpha zeros, no shared axes).
func NewPReLU(name string) *PReLU { return &PReLU{base: base{name: name}} }

func (p *PReLU) Type() string { return "PReLU" }

func (p *PReLU) Build(s *graphs.Scope, in Shape) (Shape, error) {
	shape := make([]int64, len(in))
	for i, d := range in {
		shape[i] = int64(d)
	}
	for _, a := range p.SharedAxes {
		if a < 1 || a > len(in) {
			return nil, shapeError(p, in, fmt.Sprintf("an axis %d (shared_axes counts from 1, after the batch)", a))
		}
		shape[a-1] = 1
	}
	init, err := initializer(p, "alpha_initializer", p.AlphaInitializer, graphs.Zeros{})
	if err != nil {
		return nil, err
	}
	p.begin(s)
	p.alpha = p.variable("alpha", shape, init, true)
	return in, nil
}

func (p *PReLU) Call(x tf.Output, training bool) tf.Output {
	return preluOp(p.scope, x, p.scope.Read(p.alpha))
}

// preluOp is Keras's PReLU.call: relu(x) + (−alpha)·relu(−x), alpha broadcast over x.
func preluOp(s *graphs.Scope, x, alpha tf.Output) tf.Output {
	pos := op.Relu(s.Op("Relu"), x)
	neg := op.Mul(s.Op("Mul"), op.Neg(s.Op("Neg"), alpha), op.Relu(s.Op("Relu"), op.Neg(s.Op("Neg"), x)))
	return op.AddV2(s.Op("AddV2"), pos, neg)
}

// Penalty is the layer's regularization penalty (alpha_regularizer; see Regularized).
func (p *PReLU) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	return p.penalty(s, dtype, p.alpha, nil)
}

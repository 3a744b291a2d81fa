package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerELU, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewELU(name, c.Float("alpha")), nil
	})
}

// ELU is Keras's ELU layer: x for x > 0, alpha·(exp(x) − 1) below (Clevert et al. 2016,
// arXiv:1511.07289). Shape unchanged.
type ELU struct {
	base
	Alpha float64
}

// NewELU returns an ELU layer (Keras's default alpha is 1).
func NewELU(name string, alpha float64) *ELU { return &ELU{base: base{name: name}, Alpha: alpha} }

func (e *ELU) Type() string { return "ELU" }

func (e *ELU) Build(s *graphs.Scope, in Shape) (Shape, error) {
	e.begin(s)
	return in, nil
}

func (e *ELU) Call(x tf.Output, training bool) tf.Output { return eluOp(e.scope, x, e.Alpha) }

// eluOp is Keras's TensorFlow elu: the Elu op, and for alpha ≠ 1 where(x > 0, elu(x),
// alpha·elu(x)). The Elu op is eluCore's (in bfloat16 and float16, its gradient is not
// TensorFlow's EluGrad; the select's and the product's are the registry's).
func eluOp(s *graphs.Scope, x tf.Output, alpha float64) tf.Output {
	y := eluCore(s, x)
	if alpha == 1 {
		return y
	}
	return rawOp(s, "SelectV2", op.Greater(s.Op("Greater"), x, s.Scalar(0)), y, op.Mul(s.Op("Mul"), s.Scalar(alpha), y))
}

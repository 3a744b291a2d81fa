package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's Adadelta defaults (keras/src/optimizers/adadelta.py).
const (
	AdadeltaLearningRate = 0.001
	AdadeltaRho          = 0.95
	AdadeltaEpsilon      = 1e-7
)

// Adadelta is Keras 3's Adadelta (Zeiler, 2012): with ag and ad the slots,
// ag ← ρ·ag + (1−ρ)·g², d ← √(ad+ε)/√(ag+ε)·g, ad ← ρ·ad + (1−ρ)·d², var ← var − lr·d.
// That is TensorFlow's ResourceApplyAdadelta kernel, which it uses. Slots
// "accumulated_grad" and "accumulated_delta_var".
type Adadelta struct {
	optimizerBase
	Rho, Epsilon float64
}

// NewAdadelta adds an Adadelta optimizer's state under scope name (e.g. "adadelta").
func NewAdadelta(s *Scope, name string, lr, rho, epsilon float64) *Adadelta {
	return &Adadelta{optimizerBase: newOptimizerBase(s, name, lr), Rho: rho, Epsilon: epsilon}
}

// Minimize implements Optimizer.
func (a *Adadelta) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := a.checkMinimize(vars); err != nil {
		return nil, err
	}
	ags := make([]*Variable, len(vars))
	ads := make([]*Variable, len(vars))
	for i, v := range vars {
		ags[i] = a.slot(v, "accumulated_grad")
		ads[i] = a.slot(v, "accumulated_delta_var")
	}
	return a.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		i := indexOf(vars, v)
		return op.ResourceApplyAdadelta(as.Op("ResourceApplyAdadelta"), v.handle, ags[i].handle, ads[i].handle,
			a.lr.value, as.Scalar(a.Rho), as.Scalar(a.Epsilon), grad)
	})
}

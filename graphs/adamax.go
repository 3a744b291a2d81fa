package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's Adamax defaults (keras/src/optimizers/adamax.py).
const (
	AdamaxLearningRate = 0.001
	AdamaxBeta1        = 0.9
	AdamaxBeta2        = 0.999
	AdamaxEpsilon      = 1e-7
)

// Adamax is Keras 3's Adamax (Kingma & Ba, 2015, section 7.1): with t the 1-based step,
// m ← β1·m + (1−β1)·g, u ← max(β2·u, |g|), var ← var − lr/(1−β1ᵗ)·m/(u+ε). That is
// TensorFlow's ResourceApplyAdaMax kernel, which it uses. Slots "momentum" (m) and
// "norm" (u), Keras 3's names.
type Adamax struct {
	optimizerBase
	Beta1, Beta2, Epsilon float64
}

// NewAdamax adds an Adamax optimizer's state under scope name (e.g. "adamax").
func NewAdamax(s *Scope, name string, lr, beta1, beta2, epsilon float64) *Adamax {
	return &Adamax{optimizerBase: newOptimizerBase(s, name, lr), Beta1: beta1, Beta2: beta2, Epsilon: epsilon}
}

// Minimize implements Optimizer.
func (a *Adamax) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := a.checkMinimize(vars); err != nil {
		return nil, err
	}
	ms := make([]*Variable, len(vars))
	us := make([]*Variable, len(vars))
	for i, v := range vars {
		ms[i] = a.slot(v, "momentum")
		us[i] = a.slot(v, "norm")
	}
	return a.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		i := indexOf(vars, v)
		t := op.Cast(as.Op("Cast"), op.AddV2(as.Op("AddV2"), a.iterations.value, as.Const(int64(1))), v.DType)
		b1 := as.Scalar(a.Beta1)
		return op.ResourceApplyAdaMax(as.Op("ResourceApplyAdaMax"), v.handle, ms[i].handle, us[i].handle,
			op.Pow(as.Op("Pow"), b1, t), a.lr.value, b1, as.Scalar(a.Beta2), as.Scalar(a.Epsilon), grad)
	})
}

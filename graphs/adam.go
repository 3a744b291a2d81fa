package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's Adam defaults (keras/src/optimizers/adam.py).
const (
	AdamLearningRate = 0.001
	AdamBeta1        = 0.9
	AdamBeta2        = 0.999
	AdamEpsilon      = 1e-7
)

// Adam is Keras's Adam (Kingma & Ba, 2015, with Keras's "epsilon hat"): with t the 1-based
// step, m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², var ← var − lr·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v+ε).
// That is TensorFlow's ResourceApplyAdam kernel, which it uses. The kernel takes 1 − β in
// float32 from float32 β where Keras rounds 1 − β from a double: with β2 = 0.999, v then
// differs from Keras's by 1.3e-5 relative (as Keras's would with β2 = 0.9990000129), the update
// by half that. Slots "m" and "v" (Keras 3 names them "momentum" and "velocity"; tfrun's
// checkpoints keep the names they have always had).
type Adam struct {
	optimizerBase
	Beta1, Beta2, Epsilon float64
}

// NewAdam adds an Adam optimizer's state under scope name (e.g. "adam").
func NewAdam(s *Scope, name string, lr, beta1, beta2, epsilon float64) *Adam {
	return &Adam{optimizerBase: newOptimizerBase(s, name, lr), Beta1: beta1, Beta2: beta2, Epsilon: epsilon}
}

// Minimize implements Optimizer.
func (a *Adam) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := a.checkMinimize(vars); err != nil {
		return nil, err
	}
	ms := make([]*Variable, len(vars))
	vs := make([]*Variable, len(vars))
	for i, v := range vars {
		ms[i] = a.slot(v, "m")
		vs[i] = a.slot(v, "v")
	}
	return a.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		i := indexOf(vars, v)
		t := op.Cast(as.Op("Cast"), op.AddV2(as.Op("AddV2"), a.iterations.value, as.Const(int64(1))), v.DType)
		b1 := as.Scalar(a.Beta1)
		b2 := as.Scalar(a.Beta2)
		return op.ResourceApplyAdam(as.Op("ResourceApplyAdam"), v.handle, ms[i].handle, vs[i].handle,
			op.Pow(as.Op("Pow"), b1, t), op.Pow(as.Op("Pow"), b2, t),
			a.lr.value, b1, b2, as.Scalar(a.Epsilon), grad)
	})
}

func indexOf(vars []*Variable, v *Variable) int {
	for i, w := range vars {
		if w == v {
			return i
		}
	}
	return -1
}

package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's RMSprop defaults (keras/src/optimizers/rmsprop.py).
const (
	RMSpropLearningRate = 0.001
	RMSpropRho          = 0.9
	RMSpropMomentum     = 0.0
	RMSpropEpsilon      = 1e-7
)

// RMSprop is Keras's RMSprop (Hinton's lecture 6e, not centered) computed by TensorFlow's
// fused ResourceApplyRMSProp kernel: ms ← ρ·ms + (1−ρ)·g², mom ← μ·mom + lr·g/√(ms+ε),
// var ← var − mom, which is Keras 3's update exactly (its "velocity" is ms; without
// momentum Keras subtracts lr·g/√(ms+ε) directly, the same with mom kept at that value).
// Slots "rms" and "momentum".
type RMSprop struct {
	optimizerBase
	Rho, Momentum, Epsilon float64
}

// NewRMSprop adds an RMSprop optimizer's state under scope name (e.g. "rmsprop").
func NewRMSprop(s *Scope, name string, lr, rho, momentum, epsilon float64) *RMSprop {
	return &RMSprop{optimizerBase: newOptimizerBase(s, name, lr), Rho: rho, Momentum: momentum, Epsilon: epsilon}
}

// Minimize implements Optimizer.
func (r *RMSprop) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := r.checkMinimize(vars); err != nil {
		return nil, err
	}
	ms := make([]*Variable, len(vars))
	moms := make([]*Variable, len(vars))
	for i, v := range vars {
		ms[i] = r.slot(v, "rms")
		moms[i] = r.slot(v, "momentum")
	}
	return r.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		i := indexOf(vars, v)
		return op.ResourceApplyRMSProp(as.Op("ResourceApplyRMSProp"), v.handle, ms[i].handle, moms[i].handle,
			r.lr.value, as.Scalar(r.Rho), as.Scalar(r.Momentum), as.Scalar(r.Epsilon), grad)
	})
}

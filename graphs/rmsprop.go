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
	r := &RMSprop{optimizerBase: newOptimizerBase(s, name, lr), Rho: rho, Momentum: momentum, Epsilon: epsilon}
	r.sparse = true
	return r
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
	return r.minimizeSparse(s, loss, vars, func(as *Scope, v *Variable, grad, squares tf.Output) *tf.Operation {
		i := indexOf(vars, v)
		if squares.Op != nil {
			return r.applySquares(as, v, ms[i], moms[i], grad, squares)
		}
		return op.ResourceApplyRMSProp(as.Op("ResourceApplyRMSProp"), v.handle, ms[i].handle, moms[i].handle,
			r.lr.value, as.Scalar(r.Rho), as.Scalar(r.Momentum), as.Scalar(r.Epsilon), grad)
	})
}

// applySquares is RMSprop's update of v with the mean square fed squares, the
// per-occurrence Σᵢ gᵢ² of Options.SparseEmbeddingGradients, in Keras 3's order of
// operations (keras/src/optimizers/rmsprop.py's update_step): ms ← ρ·ms + (1−ρ)·Σg²;
// inc = lr·g / √(ms + ε); with momentum, mom ← μ·mom + inc and var −= mom, else var −= inc
// (mom is then kept at inc, as ResourceApplyRMSProp keeps it).
func (r *RMSprop) applySquares(s *Scope, v, ms, mom *Variable, grad, squares tf.Output) *tf.Operation {
	msNew := op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), s.Scalar(r.Rho), read(s, ms)),
		op.Mul(s.Op("Mul"), s.Scalar(1-r.Rho), squares))
	setMS := op.AssignVariableOp(s.Op("AssignVariableOp"), ms.handle, msNew)
	inc := op.Div(s.Op("Div"), op.Mul(s.Op("Mul"), r.lr.value, grad),
		op.Sqrt(s.Op("Sqrt"), op.AddV2(s.Op("AddV2"), msNew, s.Scalar(r.Epsilon))))
	momNew := inc
	if r.Momentum > 0 {
		momNew = op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), s.Scalar(r.Momentum), read(s, mom)), inc)
	}
	setMom := op.AssignVariableOp(s.Op("AssignVariableOp"), mom.handle, momNew)
	us := s.WithControlDependencies(setMS, setMom)
	return op.AssignSubVariableOp(us.Op("AssignSubVariableOp"), v.handle, momNew)
}

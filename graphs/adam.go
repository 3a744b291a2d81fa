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
	a := &Adam{optimizerBase: newOptimizerBase(s, name, lr), Beta1: beta1, Beta2: beta2, Epsilon: epsilon}
	a.sparse = true
	return a
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
	return a.minimizeSparse(s, loss, vars, func(as *Scope, v *Variable, grad, squares tf.Output) *tf.Operation {
		i := indexOf(vars, v)
		t := op.Cast(as.Op("Cast"), op.AddV2(as.Op("AddV2"), a.iterations.value, as.Const(int64(1))), v.DType)
		b1 := as.Scalar(a.Beta1)
		b2 := as.Scalar(a.Beta2)
		b1t, b2t := op.Pow(as.Op("Pow"), b1, t), op.Pow(as.Op("Pow"), b2, t)
		if squares.Op != nil {
			return a.applySquares(as, v, ms[i], vs[i], b1t, b2t, grad, squares)
		}
		return op.ResourceApplyAdam(as.Op("ResourceApplyAdam"), v.handle, ms[i].handle, vs[i].handle,
			b1t, b2t, a.lr.value, b1, b2, as.Scalar(a.Epsilon), grad)
	})
}

// applySquares is Adam's update of v with the second moment fed squares, the per-occurrence
// Σᵢ gᵢ² of Options.SparseEmbeddingGradients, in Keras 3's order of operations
// (keras/src/optimizers/adam.py's update_step): m += (g − m)·(1−β1); v += (Σg² − v)·(1−β2);
// var −= m·α / (√v + ε) with α = lr·√(1−β2ᵗ)/(1−β1ᵗ). 1 − β is rounded from float64, as
// Keras's Python does.
func (a *Adam) applySquares(s *Scope, v, m, vel *Variable, b1t, b2t, grad, squares tf.Output) *tf.Operation {
	one := s.Scalar(1)
	alpha := op.Div(s.Op("Div"), op.Mul(s.Op("Mul"), a.lr.value, op.Sqrt(s.Op("Sqrt"), op.Sub(s.Op("Sub"), one, b2t))),
		op.Sub(s.Op("Sub"), one, b1t))
	mNew := op.AddV2(s.Op("AddV2"), read(s, m), op.Mul(s.Op("Mul"), op.Sub(s.Op("Sub"), grad, read(s, m)), s.Scalar(1-a.Beta1)))
	vNew := op.AddV2(s.Op("AddV2"), read(s, vel), op.Mul(s.Op("Mul"), op.Sub(s.Op("Sub"), squares, read(s, vel)), s.Scalar(1-a.Beta2)))
	setM := op.AssignVariableOp(s.Op("AssignVariableOp"), m.handle, mNew)
	setV := op.AssignVariableOp(s.Op("AssignVariableOp"), vel.handle, vNew)
	step := op.Div(s.Op("Div"), op.Mul(s.Op("Mul"), mNew, alpha),
		op.AddV2(s.Op("AddV2"), op.Sqrt(s.Op("Sqrt"), vNew), s.Scalar(a.Epsilon)))
	us := s.WithControlDependencies(setM, setV)
	return op.AssignSubVariableOp(us.Op("AssignSubVariableOp"), v.handle, step)
}

func indexOf(vars []*Variable, v *Variable) int {
	for i, w := range vars {
		if w == v {
			return i
		}
	}
	return -1
}

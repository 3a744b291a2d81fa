package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's Lion defaults (keras/src/optimizers/lion.py).
const (
	LionLearningRate = 0.001
	LionBeta1        = 0.9
	LionBeta2        = 0.99
)

// Lion is Keras 3's Lion (Chen et al., 2023, "Symbolic Discovery of Optimization
// Algorithms"): var ← var − lr·sign(β1·m + (1−β1)·g), then m ← β2·m + (1−β2)·g.
// TensorFlow has no kernel for it, so it is element-wise ops. Slot "momentum".
type Lion struct {
	optimizerBase
	Beta1, Beta2 float64
}

// NewLion adds a Lion optimizer's state under scope name (e.g. "lion").
func NewLion(s *Scope, name string, lr, beta1, beta2 float64) *Lion {
	return &Lion{optimizerBase: newOptimizerBase(s, name, lr), Beta1: beta1, Beta2: beta2}
}

// Minimize implements Optimizer.
func (l *Lion) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := l.checkMinimize(vars); err != nil {
		return nil, err
	}
	ms := make([]*Variable, len(vars))
	for i, v := range vars {
		ms[i] = l.slot(v, "momentum")
	}
	return l.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		mv := ms[indexOf(vars, v)]
		m := read(as, mv)
		// Keras casts β to the variable's dtype and takes 1 − β there.
		mix := func(b tf.Output) tf.Output {
			return op.AddV2(as.Op("AddV2"), op.Mul(as.Op("Mul"), m, b),
				op.Mul(as.Op("Mul"), grad, op.Sub(as.Op("Sub"), as.Scalar(1), b)))
		}
		step := op.Mul(as.Op("Mul"), l.lr.value, op.Sign(as.Op("Sign"), mix(as.Scalar(l.Beta1))))
		update := op.AssignSubVariableOp(as.Op("AssignSubVariableOp"), v.handle, step)
		setM := op.AssignVariableOp(as.Op("AssignVariableOp"), mv.handle, mix(as.Scalar(l.Beta2)))
		return group(as, update, setM)
	})
}

package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's Adagrad defaults (keras/src/optimizers/adagrad.py).
const (
	AdagradLearningRate            = 0.001
	AdagradInitialAccumulatorValue = 0.1
	AdagradEpsilon                 = 1e-7
)

// Adagrad is Keras 3's Adagrad (Duchi, Hazan & Singer, 2011): acc ← acc + g²,
// var ← var − lr·g/√(acc+ε), acc starting at initial_accumulator_value. TensorFlow's
// ResourceApplyAdagradV2 puts ε outside the root, lr·g/(√acc+ε), so tfrun computes Keras's
// form with element-wise ops instead. Slot "accumulator".
type Adagrad struct {
	optimizerBase
	InitialAccumulatorValue, Epsilon float64
}

// NewAdagrad adds an Adagrad optimizer's state under scope name (e.g. "adagrad").
func NewAdagrad(s *Scope, name string, lr, initialAccumulatorValue, epsilon float64) *Adagrad {
	return &Adagrad{optimizerBase: newOptimizerBase(s, name, lr),
		InitialAccumulatorValue: initialAccumulatorValue, Epsilon: epsilon}
}

// Minimize implements Optimizer.
func (a *Adagrad) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := a.checkMinimize(vars); err != nil {
		return nil, err
	}
	accs := make([]*Variable, len(vars))
	for i, v := range vars {
		accs[i] = a.slotInit(v, "accumulator", Constant{Value: a.InitialAccumulatorValue})
	}
	return a.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		acc := accs[indexOf(vars, v)]
		sum := op.AddV2(as.Op("AddV2"), read(as, acc), op.Square(as.Op("Square"), grad))
		setAcc := op.AssignVariableOp(as.Op("AssignVariableOp"), acc.handle, sum)
		step := op.Div(as.Op("Div"), op.Mul(as.Op("Mul"), a.lr.value, grad),
			op.Sqrt(as.Op("Sqrt"), op.AddV2(as.Op("AddV2"), sum, as.Scalar(a.Epsilon))))
		us := as.WithControlDependencies(setAcc)
		return op.AssignSubVariableOp(us.Op("AssignSubVariableOp"), v.handle, step)
	})
}

package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's SGD defaults (keras/src/optimizers/sgd.py).
const (
	SGDLearningRate = 0.01
	SGDMomentum     = 0.0
)

// SGD is Keras's SGD: var ← var − lr·g without momentum (ResourceApplyGradientDescent);
// with momentum μ, m ← μ·m − lr·g and var ← var + m, or var ← var + μ·m − lr·g with
// Nesterov (ResourceApplyKerasMomentum, Keras's own formulation). Slot "momentum".
type SGD struct {
	optimizerBase
	Momentum float64
	Nesterov bool
}

// NewSGD adds an SGD optimizer's state under scope name (e.g. "sgd").
func NewSGD(s *Scope, name string, lr, momentum float64, nesterov bool) *SGD {
	return &SGD{optimizerBase: newOptimizerBase(s, name, lr), Momentum: momentum, Nesterov: nesterov}
}

// Minimize implements Optimizer.
func (o *SGD) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := o.checkMinimize(vars); err != nil {
		return nil, err
	}
	moms := make([]*Variable, len(vars))
	if o.Momentum != 0 {
		for i, v := range vars {
			moms[i] = o.slot(v, "momentum")
		}
	}
	return o.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		if o.Momentum == 0 {
			return op.ResourceApplyGradientDescent(as.Op("ResourceApplyGradientDescent"), v.handle, o.lr.value, grad)
		}
		return op.ResourceApplyKerasMomentum(as.Op("ResourceApplyKerasMomentum"), v.handle, moms[indexOf(vars, v)].handle,
			o.lr.value, grad, as.Scalar(o.Momentum), op.ResourceApplyKerasMomentumUseNesterov(o.Nesterov))
	})
}

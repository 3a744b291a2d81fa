package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Keras's Nadam defaults (keras/src/optimizers/nadam.py).
const (
	NadamLearningRate = 0.001
	NadamBeta1        = 0.9
	NadamBeta2        = 0.999
	NadamEpsilon      = 1e-7
)

// nadamDecay is the base of Nadam's momentum schedule (Dozat, 2016), fixed in Keras.
const nadamDecay = 0.96

// Nadam is Keras 3's Nadam (Dozat, 2016, "Incorporating Nesterov Momentum into Adam"),
// with its momentum schedule: with t the 1-based step, μₜ = β1·(1 − ½·0.96ᵗ) and
// Πₜ = μ₁···μₜ (the optimizer's "u_product", updated once per step before the
// variables), m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
// m̂ = μₜ₊₁·m/(1 − Πₜ·μₜ₊₁) + (1−μₜ)·g/(1 − Πₜ), v̂ = v/(1 − β2ᵗ),
// var ← var − lr·m̂/(√v̂ + ε). TensorFlow's ResourceApplyAdam with use_nesterov is
// another formula (no schedule), so it is element-wise ops. Slots "momentum" and
// "velocity", Keras 3's names, and the scalar "u_product" (starting at 1).
type Nadam struct {
	optimizerBase
	Beta1, Beta2, Epsilon float64
}

// NewNadam adds a Nadam optimizer's state under scope name (e.g. "nadam").
func NewNadam(s *Scope, name string, lr, beta1, beta2, epsilon float64) *Nadam {
	return &Nadam{optimizerBase: newOptimizerBase(s, name, lr), Beta1: beta1, Beta2: beta2, Epsilon: epsilon}
}

// Minimize implements Optimizer.
func (n *Nadam) Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error) {
	if err := n.checkMinimize(vars); err != nil {
		return nil, err
	}
	ms := make([]*Variable, len(vars))
	vs := make([]*Variable, len(vars))
	for i, v := range vars {
		ms[i] = n.slot(v, "momentum")
		vs[i] = n.slot(v, "velocity")
	}
	uProduct := n.state("u_product", vars[0].DType, nil, Constant{Value: 1})
	// Keras's _backend_update_step: u_product ← u_product·β1·(1 − ½·0.96ᵗ), once per
	// update, before update_step reads it for every variable.
	ps := n.scope
	b1 := ps.Scalar(n.Beta1)
	pow := func(s *Scope, x float64, t tf.Output) tf.Output { return op.Pow(s.Op("Pow"), s.Scalar(x), t) }
	mu := func(s *Scope, t tf.Output) tf.Output { // β1·(1 − ½·0.96ᵗ)
		return op.Mul(s.Op("Mul"), s.Scalar(n.Beta1),
			op.Sub(s.Op("Sub"), s.Scalar(1), op.Mul(s.Op("Mul"), s.Scalar(0.5), pow(s, nadamDecay, t))))
	}
	step := func(s *Scope, k int64) tf.Output {
		return op.Cast(s.Op("Cast"), op.AddV2(s.Op("AddV2"), n.iterations.value, s.Const(k)), uProduct.DType)
	}
	t := step(ps, 1)
	newProduct := op.Mul(ps.Op("Mul"), op.Mul(ps.Op("Mul"), uProduct.value, b1),
		op.Sub(ps.Op("Sub"), ps.Scalar(1), op.Mul(ps.Op("Mul"), ps.Scalar(0.5), pow(ps, nadamDecay, t))))
	setProduct := op.AssignVariableOp(ps.Op("AssignVariableOp"), uProduct.handle, newProduct)
	return n.minimize(s, loss, vars, func(as *Scope, v *Variable, grad tf.Output) *tf.Operation {
		i := indexOf(vars, v)
		as = as.WithControlDependencies(setProduct)
		one := as.Scalar(1)
		sub := func(a, b tf.Output) tf.Output { return op.Sub(as.Op("Sub"), a, b) }
		mul := func(a, b tf.Output) tf.Output { return op.Mul(as.Op("Mul"), a, b) }
		div := func(a, b tf.Output) tf.Output { return op.Div(as.Op("Div"), a, b) }
		add := func(a, b tf.Output) tf.Output { return op.AddV2(as.Op("AddV2"), a, b) }
		t, next := step(as, 1), step(as, 2)
		beta1, beta2 := as.Scalar(n.Beta1), as.Scalar(n.Beta2)
		ut, ut1 := mu(as, t), mu(as, next)
		prod := read(as, uProduct)
		prod1 := mul(prod, ut1)
		m, vel := read(as, ms[i]), read(as, vs[i])
		m = add(m, mul(sub(grad, m), sub(one, beta1)))
		vel = add(vel, mul(sub(op.Square(as.Op("Square"), grad), vel), sub(one, beta2)))
		setM := op.AssignVariableOp(as.Op("AssignVariableOp"), ms[i].handle, m)
		setV := op.AssignVariableOp(as.Op("AssignVariableOp"), vs[i].handle, vel)
		mHat := add(div(mul(ut1, m), sub(one, prod1)), div(mul(sub(one, ut), grad), sub(one, prod)))
		vHat := div(vel, sub(one, op.Pow(as.Op("Pow"), beta2, t)))
		delta := div(mul(mHat, n.lr.value), add(op.Sqrt(as.Op("Sqrt"), vHat), as.Scalar(n.Epsilon)))
		update := op.AssignSubVariableOp(as.Op("AssignSubVariableOp"), v.handle, delta)
		return group(as, update, setM, setV)
	})
}

package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Optimizer turns gradients into variable updates, as a Keras optimizer's apply_gradients
// does, with TensorFlow's fused ResourceApply* kernels. Each optimizer takes an explicit
// variable list (a GAN has two networks and two optimizers).
type Optimizer interface {
	// Minimize differentiates loss with respect to vars and returns the op that applies
	// one update to all of them and then increments the iteration counter.
	Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error)
	// LearningRate is the variable callbacks change (ReduceLROnPlateau).
	LearningRate() *Variable
	// Variables are the optimizer's own state: iterations, learning rate and slots.
	Variables() []*Variable
}

// optimizerBase holds what every optimizer has: its scope, the learning rate, the
// iteration counter and its slots.
type optimizerBase struct {
	scope      *Scope
	lr         *Variable
	iterations *Variable
	slots      []*Variable
}

func newOptimizerBase(s *Scope, name string, lr float64) optimizerBase {
	os := s.Sub(name)
	dt := s.g.dtype
	return optimizerBase{
		scope:      os,
		lr:         os.NewVariable("learning_rate", dt, nil, Constant{Value: lr}, false),
		iterations: os.NewVariable("iterations", tf.Int64, nil, Zeros{}, false),
	}
}

func (b *optimizerBase) LearningRate() *Variable { return b.lr }

func (b *optimizerBase) Variables() []*Variable {
	return append([]*Variable{b.iterations, b.lr}, b.slots...)
}

// slot returns the slot variable named "<optimizer>/<variable>/<slot>", created
// zero-initialised on first use: an optimizer minimizing several losses for the same
// variables (a GAN discriminator updated on real, then on generated images) keeps one
// state per variable, as a Keras optimizer called twice does.
func (b *optimizerBase) slot(v *Variable, name string) *Variable {
	for _, sv := range b.slots {
		if sv.Name == b.scope.Path()+"/"+v.Name+"/"+name {
			return sv
		}
	}
	sv := b.scope.NewVariable(v.Name+"/"+name, v.DType, v.Shape, Zeros{}, false)
	b.slots = append(b.slots, sv)
	return sv
}

// checkTrainable is checked before an optimizer creates slots, so a refused Minimize
// leaves nothing behind in the graph.
func checkTrainable(vars []*Variable) error {
	for _, v := range vars {
		if !v.Trainable {
			return fmt.Errorf("graphs: optimizer: variable %q is not trainable", v.Name)
		}
	}
	return nil
}

// minimize computes the gradients and emits apply(v, grad) for each variable, ordered
// after every variable read of the graph (so a run's forward pass sees the values from
// before the update), then increments iterations.
func (b *optimizerBase) minimize(s *Scope, loss tf.Output, vars []*Variable,
	apply func(as *Scope, v *Variable, grad tf.Output) *tf.Operation) (*tf.Operation, error) {
	if len(vars) == 0 {
		return nil, fmt.Errorf("graphs: optimizer %s: no variables to train", b.scope.Path())
	}
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = v.value
	}
	grads, err := s.Gradients(loss, xs)
	if err != nil {
		return nil, err
	}
	if agg := s.g.aggregate; agg != nil {
		grads = agg(s, grads)
		if err := s.Err(); err != nil {
			return nil, err
		}
	}
	var reads []*tf.Operation
	for _, v := range s.g.variables {
		reads = append(reads, v.value.Op)
	}
	as := b.scope.WithControlDependencies(reads...)
	applies := make([]*tf.Operation, len(vars))
	for i, v := range vars {
		applies[i] = apply(as, v, grads[i])
	}
	done := b.scope.WithControlDependencies(applies...)
	inc := op.AssignAddVariableOp(done.Op("AssignAddVariableOp"), b.iterations.handle, done.Const(int64(1)))
	if err := s.Err(); err != nil {
		return nil, err
	}
	return inc, nil
}

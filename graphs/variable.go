package graphs

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Variable is a resource variable (VarHandleOp) with Keras's naming: its name is the scope
// path plus the Keras weight name ("lstm/recurrent_kernel"). The graph reads it once
// (ReadVariableOp); every consumer uses that one read, so within one Session.Run all
// consumers see the same value and optimizers can order their updates after it.
type Variable struct {
	Name      string
	Shape     []int64
	DType     tf.DataType
	Trainable bool

	handle   tf.Output
	value    tf.Output
	init     Initializer
	assignIn tf.Output
	assignOp *tf.Operation
	scope    *Scope                    // where the variable was made (its casts go there)
	casts    map[tf.DataType]tf.Output // the value cast to other types (Scope.Read)
}

// NewVariable adds a variable named name in scope s with the given shape and initializer.
// Trainable variables are what optimizers update; others (BatchNorm moving statistics,
// counters) are only saved and restored. In a frozen scope (Scope.Frozen) every variable
// is non-trainable.
func (s *Scope) NewVariable(name string, dtype tf.DataType, shape []int64, init Initializer, trainable bool) *Variable {
	shape = append([]int64(nil), shape...)
	trainable = trainable && !s.frozen
	full := name
	if s.path != "" {
		full = s.path + "/" + name
	}
	h := s.s.AddOperation(tf.OpSpec{
		Type:  "VarHandleOp",
		Name:  name,
		Attrs: map[string]any{"dtype": dtype, "shape": tf.MakeShape(shape...), "shared_name": full},
	})
	if h == nil {
		s.Err()
		return &Variable{Name: name, Shape: shape, DType: dtype}
	}
	if h.Name() != full {
		s.Fail("graphs: variable %q got the op name %q", full, h.Name())
	}
	v := &Variable{Name: full, Shape: shape, DType: dtype, Trainable: trainable, handle: h.Output(0), init: init, scope: s}
	if _, dup := s.g.byName[full]; dup {
		s.Fail("graphs: variable %q defined twice", full)
		return v
	}
	read := s.s.AddOperation(tf.OpSpec{
		Type:  "ReadVariableOp",
		Name:  name + "/Read",
		Input: []tf.Input{v.handle},
		Attrs: map[string]any{"dtype": dtype},
	})
	if read == nil {
		s.Err()
		return v
	}
	v.value = read.Output(0)
	as := s.Op(name + "_assign")
	v.assignIn = op.Placeholder(as, dtype, op.PlaceholderShape(tf.MakeShape(shape...)))
	v.assignOp = op.AssignVariableOp(as, v.handle, v.assignIn)
	s.g.variables = append(s.g.variables, v)
	s.g.byName[full] = v
	return v
}

// Handle is the variable's resource handle, for ops that update it in place.
func (v *Variable) Handle() tf.Output { return v.handle }

// Value is the variable's value as read once per run, in its own DType. Layers read
// through Scope.Read, which casts it to the type they compute in.
func (v *Variable) Value() tf.Output { return v.value }

// NumElements is the variable's element count.
func (v *Variable) NumElements() int { return numElements(v.Shape) }

// initialValues draws the variable's initial values from a generator seeded by the graph
// seed and the variable's name, so a variable's start does not depend on build order.
func (v *Variable) initialValues(seed uint64) ([]float64, error) {
	if v.init == nil {
		return nil, fmt.Errorf("graphs: variable %q has no initializer", v.Name)
	}
	h := fnv.New64a()
	h.Write([]byte(v.Name))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	vals, err := v.init.Values(v.Shape, rng)
	if err != nil {
		return nil, fmt.Errorf("graphs: initializing %q: %w", v.Name, err)
	}
	return vals, nil
}

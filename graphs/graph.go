package graphs

import (
	"errors"
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Graph is one TensorFlow graph under construction together with what tfrun needs to
// know about it: its variables, its differentiable ops without a registered gradient,
// and the first error met while building (building never panics; callers check Err).
type Graph struct {
	root      *op.Scope
	rootScope *Scope
	tfg       *tf.Graph
	dtype     tf.DataType // variables, inputs, losses
	compute   tf.DataType // what layers compute in (see SetComputeDType)
	seed      uint64
	variables []*Variable
	byName    map[string]*Variable
	custom    []*customGradient
	gathers   []gather // Scope.Gather's lookups
	step      *Variable
	gradCalls int
	streams   int
	aggregate GradientAggregator
	replica   *replicaState
	flopScale map[string][2]int64 // see scaleFLOPs
	platform  Platform            // what the graph is built for (see Platform)
	autotune  *Autotune           // chooses conv.go's forms (see SetAutotune); nil: fixed rules
	unrolled  bool                // holds a recurrence unrolled over its steps (see grapplerOff)
	err       error
}

// NewGraph returns an empty graph whose variables are of dtype (tf.Float normally,
// tf.Double for gradient checks), whose layers compute in dtype too unless SetComputeDType
// says otherwise, and whose initializers and random ops derive from seed. It is built
// for the devices of this process (LocalPlatform; see SetPlatform).
func NewGraph(dtype tf.DataType, seed uint64) *Graph {
	tfg := tf.NewGraph()
	g := &Graph{root: op.NewScopeWithGraph(tfg), tfg: tfg, dtype: dtype, compute: dtype, seed: seed, byName: map[string]*Variable{}}
	g.rootScope = &Scope{g: g, s: g.root, dtype: dtype, names: map[string]int{}}
	p, err := LocalPlatform()
	g.platform = p
	g.setErr(err)
	return g
}

// DType is the floating-point type of the graph's variables, inputs and losses; layers
// compute in it too unless a mixed policy is set (see SetComputeDType and ComputeDType).
func (g *Graph) DType() tf.DataType { return g.dtype }

// Seed is the graph-level seed.
func (g *Graph) Seed() uint64 { return g.seed }

// TF returns the underlying graft graph.
func (g *Graph) TF() *tf.Graph { return g.tfg }

// Root returns the top-level scope.
func (g *Graph) Root() *Scope { return g.rootScope }

// Err returns the first error met while building, if any.
func (g *Graph) Err() error {
	return g.err
}

// setErr records err (wrapped with context) unless an earlier error is already kept.
func (g *Graph) setErr(err error) {
	if err != nil && g.err == nil {
		g.err = err
	}
}

// scaleFLOPs makes CountFLOPs credit the op named name with num/den of what its type and
// shapes would count: a composite that does more arithmetic than the op it stands for
// (the sub-pixel Conv2D of conv.go) is counted as the op it replaces.
func (g *Graph) scaleFLOPs(name string, num, den int64) {
	if g.flopScale == nil {
		g.flopScale = map[string][2]int64{}
	}
	g.flopScale[name] = [2]int64{num, den}
}

// Variables lists the graph's variables in creation order.
func (g *Graph) Variables() []*Variable { return append([]*Variable(nil), g.variables...) }

// Variable returns the variable with the given full name, or nil.
func (g *Graph) Variable(name string) *Variable { return g.byName[name] }

// Scope is a name scope in a Graph. Layers get a sub-scope each ("dense", "dense_1", ...);
// every op emitted through Op gets a fresh scope of its own, so graft's wrappers, which
// name an op after its type, never collide.
type Scope struct {
	g     *Graph
	s     *op.Scope
	path  string         // the namespace ops in this scope get ("" at the root)
	dtype tf.DataType    // the floating-point type the scope computes in (DType)
	names map[string]int // sub-scope names taken here, shared with graft's own count
	// frozen scopes make non-trainable variables (Frozen): a frozen Keras layer's.
	frozen bool
}

// Graph returns the graph the scope builds.
func (s *Scope) Graph() *Graph { return s.g }

// Sub returns a child scope named name (made unique among its siblings: name, name_1, ...).
// graft's SubScope makes the same choice from its own count, which sees the same calls.
func (s *Scope) Sub(name string) *Scope {
	unique := s.unique(name)
	inner := s.s.SubScope(name)
	path := unique
	if s.path != "" {
		path = s.path + "/" + unique
	}
	return &Scope{g: s.g, s: inner, path: path, dtype: s.dtype, names: map[string]int{}, frozen: s.frozen}
}

// Frozen returns the same scope (same names, same namespace) in which every variable is
// made non-trainable, as are its children's: Keras's layer.trainable = False, which
// also freezes every layer inside the layer.
func (s *Scope) Frozen() *Scope {
	c := *s
	c.frozen = true
	return &c
}

// IsFrozen reports whether the scope is frozen (Frozen): its variables are not trainable
// and a BatchNormalization in it always normalizes with its moving statistics.
func (s *Scope) IsFrozen() bool { return s.frozen }

func (s *Scope) unique(name string) string {
	n := s.names[name]
	s.names[name]++
	if n == 0 {
		return name
	}
	return fmt.Sprint(name, "_", n)
}

// Path is the scope's namespace, as it prefixes op and variable names.
func (s *Scope) Path() string { return s.path }

// Op returns a fresh graft scope for one wrapper call emitting an op of the given kind.
// Errors the wrapper records are collected by Err.
func (s *Scope) Op(kind string) *op.Scope {
	s.unique(kind)
	return s.s.SubScope(kind)
}

// WithControlDependencies returns a scope whose ops run after ops.
func (s *Scope) WithControlDependencies(ops ...*tf.Operation) *Scope {
	return &Scope{g: s.g, s: s.s.WithControlDependencies(ops...), path: s.path, dtype: s.dtype, names: s.names, frozen: s.frozen}
}

// Err returns the first error of the graph, including those graft's wrappers recorded,
// without graft's stack trace.
func (s *Scope) Err() error {
	if s.g.err != nil {
		return s.g.err
	}
	if err := s.s.Err(); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, " (Stacktrace:"); i >= 0 {
			msg = msg[:i]
		}
		s.g.setErr(errors.New(msg))
		return s.g.err
	}
	return nil
}

// Fail records an error for the graph. From then on graft's wrappers add nothing (they
// return zero outputs) and Ok reports false.
func (s *Scope) Fail(format string, args ...any) {
	err := fmt.Errorf(format, args...)
	s.g.setErr(err)
	s.s.UpdateErr("tfrun", err)
}

// Ok reports whether building can go on: no error so far and every one of outs exists.
// Code that inspects an output (its dtype, its static shape) checks Ok first: after an
// error graft hands out zero outputs, and inspecting one panics.
func (s *Scope) Ok(outs ...tf.Output) bool {
	if s.Err() != nil {
		return false
	}
	for _, o := range outs {
		if o.Op == nil {
			return false
		}
	}
	return true
}

// Const adds a constant.
func (s *Scope) Const(value any) tf.Output { return op.Const(s.Op("Const"), value) }

// Scalar adds a scalar constant of the scope's dtype (a bfloat16 one is a float32
// constant cast, since Go has no bfloat16 values).
func (s *Scope) Scalar(v float64) tf.Output {
	switch s.dtype {
	case tf.Double:
		return s.Const(v)
	case tf.Float:
		return s.Const(float32(v))
	}
	return s.CastTo(s.Const(float32(v)), s.dtype)
}

// Placeholder adds a placeholder of the given dtype and shape (-1 for unknown dims).
func (s *Scope) Placeholder(name string, dtype tf.DataType, shape ...int64) tf.Output {
	return op.Placeholder(s.Op(name), dtype, op.PlaceholderShape(tf.MakeShape(shape...)))
}

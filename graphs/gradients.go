package graphs

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// customGradient is one op (or group of ops) on a gradient path that TensorFlow's C++
// gradient registry cannot differentiate. Its forward part consumes StopGradient copies of
// inputs, so the registry never walks into it; Gradients wires backward in its place.
type customGradient struct {
	opType   string
	inputs   []tf.Output // the differentiable inputs, before the cut
	outputs  []tf.Output // what the rest of the graph consumes
	backward func(s *Scope, dOutputs []tf.Output) []tf.Output
}

// CustomGradient emits an op whose gradient TensorFlow's registry lacks. forward receives
// copies of inputs cut from the registry's view (StopGradient) and returns the outputs the
// rest of the graph uses; backward receives the gradients of those outputs (zeros where
// the loss does not depend on one) and returns the gradients of inputs, in order (a zero
// Output{} for an input with none). opType names the op in errors.
func (s *Scope) CustomGradient(opType string, inputs []tf.Output,
	forward func(s *Scope, cut []tf.Output) []tf.Output,
	backward func(s *Scope, dOutputs []tf.Output) []tf.Output) []tf.Output {
	if !s.Ok(inputs...) {
		return make([]tf.Output, 1)
	}
	// The op is cut out of the registry's view on both sides. Inputs pass through Identity
	// then StopGradient; outputs through StopGradient then Identity. TF_AddGradients visits
	// every op between its ys and xs, and fails on one without a gradient unless all of its
	// output gradients are already "none", which the StopGradient after it guarantees.
	// The Identity ops give each pass distinct tensors to start from and stop at
	// (TF_AddGradients returns only the seed for a tensor that is both).
	seen := make([]tf.Output, len(inputs))
	cut := make([]tf.Output, len(inputs))
	for i, in := range inputs {
		seen[i] = op.Identity(s.Op("Identity"), in)
		cut[i] = op.StopGradient(s.Op("StopGradient"), seen[i])
	}
	raw := forward(s, cut)
	outs := make([]tf.Output, len(raw))
	for i, o := range raw {
		outs[i] = op.Identity(s.Op("Identity"), op.StopGradient(s.Op("StopGradient"), o))
	}
	s.g.custom = append(s.g.custom, &customGradient{opType: opType, inputs: seen, outputs: outs, backward: backward})
	return outs
}

// Gradients emits the gradient of the scalar loss with respect to each of xs (variable
// values or any other tensors), the graph-mode GradientTape.gradient. Ops the C++ registry
// covers are differentiated by TF_AddGradients; ops registered with CustomGradient are
// differentiated by their backward functions, visited in reverse creation order (a
// topological order): the gradient of the loss is linear in the seeds, so each custom op
// turns its output gradients into input gradients that seed the next pass. An x the loss
// does not depend on is an error naming it; an op with no gradient anywhere is an error
// naming the op.
func (s *Scope) Gradients(loss tf.Output, xs []tf.Output) ([]tf.Output, error) {
	if err := s.Err(); err != nil {
		return nil, err
	}
	g := s.g
	gs := g.Root().Sub("gradients")
	ys := []tf.Output{loss}
	dys := []tf.Output{op.OnesLike(gs.Op("OnesLike"), loss)}
	for i := len(g.custom) - 1; i >= 0; i-- {
		c := g.custom[i]
		// TF_AddGradients refuses an x the ys do not depend on: ask only for the outputs
		// that reach them, and give the others a zero gradient.
		var reach []int
		reaches := dependsOn(ys)
		for j, o := range c.outputs {
			if reaches(o) {
				reach = append(reach, j)
			}
		}
		if len(reach) == 0 {
			continue // the loss does not depend on this op
		}
		xs := make([]tf.Output, len(reach))
		for k, j := range reach {
			xs[k] = c.outputs[j]
		}
		got, err := gs.addGradients(ys, xs, dys)
		if err != nil {
			return nil, fmt.Errorf("graphs: differentiating down to %s: %w", c.opType, err)
		}
		douts := make([]tf.Output, len(c.outputs))
		for j, o := range c.outputs {
			douts[j] = op.ZerosLike(gs.Op("ZerosLike"), o)
		}
		for k, j := range reach {
			douts[j] = got[k]
		}
		dins := c.backward(gs.Sub(strings.ToLower(c.opType)+"_grad"), douts)
		if err := gs.Err(); err != nil {
			return nil, fmt.Errorf("graphs: gradient of %s: %w", c.opType, err)
		}
		for j, d := range dins {
			if d.Op != nil {
				ys = append(ys, c.inputs[j])
				dys = append(dys, d)
			}
		}
	}
	reaches := dependsOn(ys)
	for _, x := range xs {
		if !reaches(x) {
			return nil, fmt.Errorf("graphs: the loss does not depend on %s", describe(x))
		}
	}
	grads, err := gs.addGradients(ys, xs, dys)
	if err != nil {
		return nil, fmt.Errorf("graphs: differentiating the loss: %w", err)
	}
	return grads, nil
}

// dependsOn returns whether any of ys depends on a tensor: whether it is an output of
// one of ys's ops or an input of an op ys are computed from. One backward walk over data
// inputs from ys answers for every tensor, so asking for each of a model's variables costs
// one pass over the graph, not one per variable.
func dependsOn(ys []tf.Output) func(tf.Output) bool {
	type output struct {
		op    string
		index int
	}
	targets := map[string]bool{}
	seen := map[string]bool{}
	var stack []*tf.Operation
	for _, y := range ys {
		name := y.Op.Name()
		targets[name] = true
		if !seen[name] {
			seen[name] = true
			stack = append(stack, y.Op)
		}
	}
	consumed := map[output]bool{}
	for len(stack) > 0 {
		o := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i := 0; i < o.NumInputs(); i++ {
			p := tf.Consumer{Op: o, Index: i}.Producer()
			name := p.Op.Name()
			consumed[output{name, p.Index}] = true
			if !seen[name] {
				seen[name] = true
				stack = append(stack, p.Op)
			}
		}
	}
	return func(x tf.Output) bool {
		name := x.Op.Name()
		return targets[name] || consumed[output{name, x.Index}]
	}
}

// addGradients is one TF_AddGradients call under a fresh prefix ("tape_N").
func (s *Scope) addGradients(ys, xs, dys []tf.Output) ([]tf.Output, error) {
	s.g.gradCalls++
	return s.g.tfg.AddGradients(fmt.Sprintf("tape_%d", s.g.gradCalls), ys, xs, dys)
}

func describe(o tf.Output) string {
	if o.Op == nil {
		return "<nil>"
	}
	if o.Op.Type() == "ReadVariableOp" {
		return fmt.Sprintf("variable %q", strings.TrimSuffix(o.Op.Name(), "/Read"))
	}
	return fmt.Sprintf("%s:%d", o.Op.Name(), o.Index)
}

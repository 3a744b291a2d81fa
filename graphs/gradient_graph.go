package graphs

import (
	"reflect"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"
)

// tensorRef names one output of an op of an opGraph: the op's index and the output's.
type tensorRef struct{ op, out int }

// opGraph is a snapshot of a graph's data edges for Gradients, its ops indexed in creation
// order (TF_GraphNextOperation's order). An op's inputs exist before it is added, so that
// order is a topological one: an op's index is above the index of every op it is computed
// from. Control edges are left out: gradients flow along data edges only.
type opGraph struct {
	ops       []tf.Operation
	index     map[string]int
	inputs    [][]tensorRef // the producers of each op's data inputs, in order
	consumers [][]int       // the ops each op's outputs feed (an op once per edge)
	mark      []int         // per op: the walk that last visited it (see walkID)
	walkID    int
}

// newOpGraph snapshots g's ops and data edges: one pass over the graph, so that the many
// walks Gradients makes cost no cgo calls.
func newOpGraph(g *tf.Graph) *opGraph {
	ops := g.Operations()
	o := &opGraph{ops: ops, index: make(map[string]int, len(ops)),
		inputs: make([][]tensorRef, len(ops)), consumers: make([][]int, len(ops)), mark: make([]int, len(ops))}
	for i := range ops {
		o.index[ops[i].Name()] = i
	}
	for i := range ops {
		n := ops[i].NumInputs()
		if n == 0 {
			continue
		}
		o.inputs[i] = make([]tensorRef, n)
		for k := 0; k < n; k++ {
			p := tf.Consumer{Op: &ops[i], Index: k}.Producer()
			r := tensorRef{o.index[p.Op.Name()], p.Index}
			o.inputs[i][k] = r
			o.consumers[r.op] = append(o.consumers[r.op], i)
		}
	}
	return o
}

// ref is the tensorRef of an output of the graph.
func (o *opGraph) ref(t tf.Output) tensorRef { return tensorRef{o.index[t.Op.Name()], t.Index} }

// output is the graph's output r.
func (o *opGraph) output(r tensorRef) tf.Output { return tf.Output{Op: &o.ops[r.op], Index: r.out} }

// newWalk starts a walk: ops visited before are unvisited again.
func (o *opGraph) newWalk() int {
	o.walkID++
	return o.walkID
}

// ancestors marks the ops the given ops are computed from (data edges), themselves
// included, adding to in (nil: a new slice).
func (o *opGraph) ancestors(from []int, in []bool) []bool {
	if in == nil {
		in = make([]bool, len(o.ops))
	}
	var stack []int
	for _, i := range from {
		if !in[i] {
			in[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, r := range o.inputs[i] {
			if !in[r.op] {
				in[r.op] = true
				stack = append(stack, r.op)
			}
		}
	}
	return in
}

// descendants marks the ops computed from the given ops (data edges), themselves included.
func (o *opGraph) descendants(from []int) []bool {
	in := make([]bool, len(o.ops))
	stack := slices.Clone(from)
	for _, i := range from {
		in[i] = true
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range o.consumers[i] {
			if !in[c] {
				in[c] = true
				stack = append(stack, c)
			}
		}
	}
	return in
}

// frontier walks back from the seeds' ops along data edges and returns, in the order met,
// every tensor target says is one, and for each the ops the walk met it from (its
// consumers on the way); the walk goes on through a target unless stop says it ends
// there. These are the tensors a TF_AddGradients call from the seeds must ask for: the
// ones the seeds' gradient reaches before it ends.
func (o *opGraph) frontier(seeds []tensorRef, target, stop func(tensorRef) bool) ([]tensorRef, map[tensorRef][]int) {
	w := o.newWalk()
	var stack []int
	for _, s := range seeds {
		if o.mark[s.op] != w {
			o.mark[s.op] = w
			stack = append(stack, s.op)
		}
	}
	var found []tensorRef
	via := map[tensorRef][]int{}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, r := range o.inputs[i] {
			if target(r) {
				if via[r] == nil {
					found = append(found, r)
				}
				via[r] = append(via[r], i)
			}
			if stop(r) || o.mark[r.op] == w {
				continue
			}
			o.mark[r.op] = w
			stack = append(stack, r.op)
		}
	}
	return found, via
}

// passedThrough returns the tensors among ends that TF_AddGradients asked for targets
// would not stop at. TensorFlow's gradient builder carries the gradient on through an op
// whose inputs are computed from any of the targets (it backpropagates through every op
// downstream of an x it is asked for), so an end is passed through when one of the
// targets (ends included) is among the ancestors of its op.
func (o *opGraph) passedThrough(targets, ends []tensorRef) []tensorRef {
	if len(ends) == 0 {
		return nil
	}
	w := o.newWalk()
	var stack []int
	for _, t := range targets {
		if o.mark[t.op] != w {
			o.mark[t.op] = w
			stack = append(stack, t.op)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range o.consumers[i] {
			if o.mark[c] != w {
				o.mark[c] = w
				stack = append(stack, c)
			}
		}
	}
	var passed []tensorRef
	for _, e := range ends {
		for _, r := range o.inputs[e.op] {
			if o.mark[r.op] == w {
				passed = append(passed, e)
				break
			}
		}
	}
	return passed
}

// noGradient reports whether TF_AddGradients returned "no gradient" for a tensor (every
// path to it crosses an op without one, StopGradient's for example): graft hands that out
// as an Output whose Operation wraps a nil TF_Operation, which no method of Operation
// accepts, so the nil is read by reflection.
func noGradient(d tf.Output) bool {
	if d.Op == nil {
		return true
	}
	c := reflect.ValueOf(d.Op).Elem().Field(0)
	return c.Kind() == reflect.Pointer && c.IsNil()
}

package graphs

import (
	"fmt"
	"slices"
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
// values or any other tensors), the graph-mode GradientTape.gradient. An x the loss does
// not depend on is an error naming it; an op with no gradient anywhere is an error naming
// the op. An x every path to which crosses an op without a gradient (StopGradient) gets a
// zero Output.
//
// Ops the C++ registry covers are differentiated by TF_AddGradients, ops registered with
// CustomGradient by their backward functions. The gradient of the loss is linear in the
// seeds a TF_AddGradients call starts from, so it can be carried back in pieces and the
// pieces summed; Gradients carries every piece back exactly once, so the backward graph
// has one copy of each op's gradient, as a single TF_AddGradients call would:
//
//   - Accumulation points are the tensors where gradients from several places meet and
//     are summed before they go on: the loss, the inputs of the custom ops, and every
//     floating-point tensor with two or more consumers that a custom op's input is
//     computed from (a residual block's input, a DenseNet's concatenation). The custom
//     ops' outputs collect their gradients the same way.
//   - They are visited in reverse creation order, a reverse topological order, so when
//     one is visited every gradient flowing into it has arrived. A custom op's output
//     gradients (zeros for an output nothing reached) go through its backward function,
//     whose results are added at its inputs. An accumulation point's sum is carried back
//     by one TF_AddGradients call to the frontier it reaches first: the accumulation
//     points and custom outputs upstream, and the xs on the way (an x does not stop the
//     gradient: through it, it reaches the xs it is computed from).
//   - TF_AddGradients carries the gradient through every tensor computed from one of the
//     tensors it is asked for. Where a frontier point is computed from another target it
//     would be passed through, and its gradient counted again later (opGraph.passedThrough).
//     Then the call is split (backprop.split): the op that target was met from becomes an
//     accumulation point when it is not itself upstream of the point (an L2 term's Square
//     of a kernel a custom op also reads); otherwise the point stops being one, and the
//     call carries on through it.
//
// The xs' gradients are the sums of the pieces that reached them. A model with no custom
// op makes one TF_AddGradients call, from the loss to xs. With N custom ops in a chain the
// backward graph has N backward passes of them, where carrying every custom op's output
// gradient from the loss separately made it grow as N².
func (s *Scope) Gradients(loss tf.Output, xs []tf.Output) ([]tf.Output, error) {
	if err := s.Err(); err != nil {
		return nil, err
	}
	b := newBackprop(s.g, loss)
	xr := make([]tensorRef, len(xs))
	for i, x := range xs {
		xr[i] = b.g.ref(x)
		if !b.reaches[xr[i].op] {
			return nil, fmt.Errorf("graphs: the loss does not depend on %s", describe(x))
		}
		b.isX[xr[i]] = true
	}
	if err := b.run(loss); err != nil {
		return nil, err
	}
	grads := make([]tf.Output, len(xs))
	for i, r := range xr {
		if parts := b.final[r]; len(parts) > 0 {
			grads[i] = b.sum(parts)
		}
	}
	if err := b.s.Err(); err != nil {
		return nil, fmt.Errorf("graphs: summing the gradients: %w", err)
	}
	return grads, nil
}

// backprop is one Gradients call's state (see Gradients for the algorithm).
type backprop struct {
	s       *Scope // where the backward ops go: the root's "gradients"
	g       *opGraph
	reaches []bool // per op: the loss (or a custom op it depends on) is computed from it
	custom  []*customGradient
	out     map[tensorRef]bool // the custom ops' outputs
	acc     map[tensorRef]bool // the accumulation points
	stop    map[tensorRef]bool // the accumulation points a gradient still stops at
	isX     map[tensorRef]bool
	final   map[tensorRef][]tf.Output // the pieces of the xs' gradients
	pending map[tensorRef][]tf.Output // the pieces at accumulation points and custom outputs
	queue   []source                  // what is left to visit, in decreasing order of keys
	accOps  map[int]bool              // the ops with accumulation points queued or visited
	needed  []bool                    // per op: computed from one of the xs
}

func newBackprop(g *Graph, loss tf.Output) *backprop {
	b := &backprop{s: g.Root().Sub("gradients"), g: newOpGraph(g.tfg), out: map[tensorRef]bool{},
		acc: map[tensorRef]bool{}, stop: map[tensorRef]bool{}, isX: map[tensorRef]bool{},
		final: map[tensorRef][]tf.Output{}, pending: map[tensorRef][]tf.Output{}}
	lossRef := b.g.ref(loss)
	b.reaches = b.g.ancestors([]int{lossRef.op}, nil)
	// The custom ops the loss depends on, and what their inputs are computed from (their
	// forward parts see StopGradient copies; their backward functions reach the inputs).
	var seen []int
	for _, c := range g.custom {
		for _, o := range c.outputs {
			if b.reaches[b.g.ref(o).op] {
				b.custom = append(b.custom, c)
				break
			}
		}
	}
	for _, c := range b.custom {
		for _, o := range c.outputs {
			b.out[b.g.ref(o)] = true
		}
		for _, in := range c.inputs {
			seen = append(seen, b.g.ref(in).op)
		}
	}
	b.reaches = b.g.ancestors(seen, b.reaches)
	if !b.out[lossRef] {
		b.acc[lossRef] = true
	}
	for _, c := range b.custom {
		for _, in := range c.inputs {
			if r := b.g.inputs[b.g.ref(in).op][0]; !b.out[r] {
				b.acc[r] = true
			}
		}
	}
	// Tensors with two or more consumers that a custom op's input is computed from.
	upstream := b.g.ancestors(seen, nil)
	consumers := map[tensorRef]int{}
	for i, ok := range b.reaches {
		if ok {
			for _, r := range b.g.inputs[i] {
				if upstream[r.op] {
					consumers[r]++
				}
			}
		}
	}
	for r, n := range consumers {
		if n >= 2 && !b.out[r] && IsFloat(b.g.output(r).DataType()) {
			b.acc[r] = true
		}
	}
	for r := range b.acc {
		b.stop[r] = true
	}
	return b
}

// source is a place gradients are carried back from: a custom op (whose backward runs
// once its output gradients are in) or the op of accumulation points.
type source struct {
	key    int // visited in decreasing order: the index of the op, of a custom op's last output
	custom *customGradient
}

func (b *backprop) run(loss tf.Output) error {
	lossRef := b.g.ref(loss)
	var xs []int
	for r := range b.isX {
		xs = append(xs, r.op)
	}
	b.needed = b.g.descendants(xs)
	b.deliver(lossRef, op.OnesLike(b.s.Op("OnesLike"), loss), true)
	b.accOps = map[int]bool{}
	for r := range b.acc {
		b.addSource(r.op)
	}
	for _, c := range b.custom {
		k := 0
		for _, o := range c.outputs {
			k = max(k, b.g.ref(o).op)
		}
		b.queue = append(b.queue, source{key: k, custom: c})
	}
	slices.SortFunc(b.queue, func(a, c source) int { return c.key - a.key })
	for len(b.queue) > 0 {
		src := b.queue[0]
		b.queue = b.queue[1:]
		var err error
		if src.custom != nil {
			err = b.backward(src.custom)
		} else {
			err = b.carry(src.key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addSource queues op i's accumulation points, in decreasing order of keys.
func (b *backprop) addSource(i int) {
	if b.accOps[i] {
		return
	}
	b.accOps[i] = true
	at, _ := slices.BinarySearchFunc(b.queue, i, func(s source, key int) int { return key - s.key })
	b.queue = slices.Insert(b.queue, at, source{key: i})
}

// deliver adds a piece d of the gradient of the tensor r: to an x's gradient, and to what
// a custom output or an accumulation point will carry on (unless the call that computed d
// carried it on already: held is false).
func (b *backprop) deliver(r tensorRef, d tf.Output, held bool) {
	if b.isX[r] {
		b.final[r] = append(b.final[r], d)
	}
	if b.out[r] || (b.acc[r] && held) {
		b.pending[r] = append(b.pending[r], d)
	}
}

// backward runs custom op c's backward function on its output gradients and adds what it
// returns at the tensors its inputs are.
func (b *backprop) backward(c *customGradient) error {
	douts := make([]tf.Output, len(c.outputs))
	any := false
	for j, o := range c.outputs {
		if parts := b.pending[b.g.ref(o)]; len(parts) > 0 {
			douts[j] = b.sum(parts)
			delete(b.pending, b.g.ref(o))
			any = true
		}
	}
	if !any {
		return nil // the loss depends on it only through ops without a gradient
	}
	for j, o := range c.outputs {
		if douts[j].Op == nil {
			douts[j] = op.ZerosLike(b.s.Op("ZerosLike"), o)
		}
	}
	dins := c.backward(b.s.Sub(strings.ToLower(c.opType)+"_grad"), douts)
	if err := b.s.Err(); err != nil {
		return fmt.Errorf("graphs: gradient of %s: %w", c.opType, err)
	}
	for j, d := range dins {
		if d.Op != nil {
			// c.inputs[j] is an Identity of the input: its gradient is d.
			b.deliver(b.g.inputs[b.g.ref(c.inputs[j]).op][0], d, true)
		}
	}
	return nil
}

// carry carries the gradients summed at the accumulation points of op i back to the
// frontier they reach first, with one TF_AddGradients call.
func (b *backprop) carry(i int) error {
	var ys []tensorRef
	var dys []tf.Output
	for k := range b.g.ops[i].NumOutputs() {
		r := tensorRef{i, k}
		if parts := b.pending[r]; b.acc[r] && len(parts) > 0 {
			ys = append(ys, r)
			dys = append(dys, b.sum(parts))
			delete(b.pending, r)
		}
	}
	if len(ys) == 0 {
		return nil
	}
	// An accumulation point no x is upstream of ends the walk but needs no gradient.
	target := func(r tensorRef) bool { return b.isX[r] || b.out[r] || (b.stop[r] && b.needed[r.op]) }
	end := func(r tensorRef) bool { return b.out[r] || b.stop[r] }
	var targets []tensorRef
	for {
		var via map[tensorRef][]int
		targets, via = b.g.frontier(ys, target, end)
		var ends []tensorRef
		for _, t := range targets {
			if b.stop[t] {
				ends = append(ends, t)
			}
		}
		passed := b.g.passedThrough(targets, ends)
		if len(passed) == 0 {
			break
		}
		if !b.split(i, targets, via, passed) {
			for _, t := range passed {
				b.stop[t] = false
			}
		}
	}
	if len(targets) == 0 {
		return nil
	}
	yo := make([]tf.Output, len(ys))
	for k, r := range ys {
		yo[k] = b.g.output(r)
	}
	xo := make([]tf.Output, len(targets))
	for k, r := range targets {
		xo[k] = b.g.output(r)
	}
	got, err := b.s.addGradients(yo, xo, dys)
	if err != nil {
		return fmt.Errorf("graphs: differentiating the loss (back from %s): %w", describe(yo[0]), err)
	}
	for k, r := range targets {
		if !noGradient(got[k]) {
			b.deliver(r, got[k], b.stop[r])
		}
	}
	return nil
}

// split resolves a call's targets passing through some of its ends (passed) by moving the
// targets they would pass through toward out of the call: where such a target is met from
// an op that is not itself upstream of an end (a regularization term's Square of a kernel
// that a custom op also reads, say), that op's outputs become accumulation points, which
// the call stops at, carried on later by a call of their own. It reports whether it did:
// false when a target is met from upstream of an end, so the ends must be passed through
// (the gradient there is genuinely carried through them), or seed op i is such an op.
func (b *backprop) split(i int, targets []tensorRef, via map[tensorRef][]int, passed []tensorRef) bool {
	var from []int
	for _, t := range passed {
		for _, r := range b.g.inputs[t.op] {
			from = append(from, r.op)
		}
	}
	upstream := b.g.ancestors(from, nil) // strictly upstream of the ends passed
	var cut []int
	for _, t := range targets {
		if !upstream[t.op] {
			continue
		}
		for _, c := range via[t] {
			if upstream[c] || c == i {
				return false
			}
			cut = append(cut, c)
		}
	}
	made := false
	for _, c := range cut {
		for k := range b.g.ops[c].NumOutputs() {
			r := tensorRef{c, k}
			if b.acc[r] || b.out[r] || !IsFloat(b.g.output(r).DataType()) {
				continue
			}
			b.acc[r], b.stop[r], made = true, true, true
			b.addSource(c)
		}
	}
	return made
}

// sum is the sum of a tensor's gradient pieces, in the order they arrived.
func (b *backprop) sum(parts []tf.Output) tf.Output {
	if len(parts) == 1 {
		return parts[0]
	}
	return op.AddN(b.s.Op("AddN"), parts)
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

package builders

import (
	"fmt"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// MergeLayer is a layer called on several tensors: Keras's merge layers (Add, Subtract,
// Multiply, Average, Maximum, Minimum, Concatenate, Dot). As Keras's, it is a Layer too,
// called on a list of one tensor.
type MergeLayer interface {
	Layer
	// BuildMerge is Build for inputs of shapes ins (without batch).
	BuildMerge(s *graphs.Scope, ins []Shape) (Shape, error)
	// CallMerge is Call on the tensors xs, in the order of ins.
	CallMerge(xs []tf.Output, training bool) tf.Output
}

// elementwise is the element-wise merge layers' common part (Keras's Merge): the inputs
// broadcast as numpy arrays after a tensor of lower rank is expanded after its batch axis
// (Merge.call), and are folded with combine, left to right.
type elementwise struct {
	base
	typ      string
	min, max int // inputs taken (max 0: any number)
	combine  func(s *graphs.Scope, a, b tf.Output) tf.Output
	rank     int // the output's rank, without batch
	ranks    []int
}

func (m *elementwise) Type() string { return m.typ }

func (m *elementwise) Build(s *graphs.Scope, in Shape) (Shape, error) {
	return m.BuildMerge(s, []Shape{in})
}

func (m *elementwise) BuildMerge(s *graphs.Scope, ins []Shape) (Shape, error) {
	if err := mergeCount(m, len(ins), m.min, m.max); err != nil {
		return nil, err
	}
	out, err := broadcastShapes(ins)
	if err != nil {
		return nil, fmt.Errorf("layer %q (%s): %w", m.name, m.typ, err)
	}
	m.ranks = m.ranks[:0]
	for _, in := range ins {
		m.ranks = append(m.ranks, len(in))
	}
	m.rank = len(out)
	m.begin(s)
	return out, nil
}

func (m *elementwise) Call(x tf.Output, training bool) tf.Output {
	return m.CallMerge([]tf.Output{x}, training)
}

func (m *elementwise) CallMerge(xs []tf.Output, _ bool) tf.Output {
	xs = expandRanks(m.scope, xs, m.ranks, m.rank)
	out := xs[0]
	for _, x := range xs[1:] {
		out = m.combine(m.scope, out, x)
	}
	return out
}

// expandRanks expands each tensor of rank (without batch) below rank after its batch
// axis until it has rank, as Keras's Merge.call does before broadcasting.
func expandRanks(s *graphs.Scope, xs []tf.Output, ranks []int, rank int) []tf.Output {
	out := slices.Clone(xs)
	for i := range out {
		for r := ranks[i]; r < rank; r++ {
			out[i] = op.ExpandDims(s.Op("ExpandDims"), out[i], s.Const(int32(1)))
		}
	}
	return out
}

// broadcastShapes is Keras's element-wise merge shape (configs' rule): shapes aligned
// from the last axis, each dimension equal or 1.
func broadcastShapes(ins []Shape) (Shape, error) {
	out := slices.Clone(ins[0])
	for _, s := range ins[1:] {
		a, b := out, s
		if len(a) < len(b) {
			a, b = b, a
		}
		next := slices.Clone(a[:len(a)-len(b)])
		for i, j := range b {
			switch d := a[len(a)-len(b)+i]; {
			case d == 1:
				next = append(next, j)
			case j == 1 || d == j:
				next = append(next, d)
			default:
				return nil, fmt.Errorf("inputs have incompatible shapes %v and %v", out, s)
			}
		}
		out = next
	}
	return out, nil
}

// mergeCount checks the number of tensors a merge layer is called on.
func mergeCount(l Layer, n, lo, hi int) error {
	if n < lo || hi > 0 && n > hi {
		want := fmt.Sprintf("at least %d", lo)
		switch {
		case hi > 0 && lo == hi:
			want = fmt.Sprintf("exactly %d", hi)
		case hi > 0:
			want = fmt.Sprintf("%d to %d", lo, hi)
		}
		return fmt.Errorf("layer %q (%s): called on %d tensors, takes %s", l.Name(), l.Type(), n, want)
	}
	return nil
}

// kerasAxis turns Keras's axis of a rank-rank tensor (batch axis 0 included) into a
// non-negative axis of the batched tensor, refusing the batch axis.
func kerasAxis(l Layer, axis, rank int) (int, error) {
	a := axis
	if a < 0 {
		a += rank
	}
	if a <= 0 || a >= rank {
		return 0, fmt.Errorf("layer %q (%s): axis %d is not an axis of a rank-%d input besides the batch axis", l.Name(), l.Type(), axis, rank)
	}
	return a, nil
}

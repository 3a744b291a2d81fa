package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// gather is one lookup of rows of a variable (Scope.Gather): the ids and the rows
// gathered, one per id.
type gather struct {
	v        *Variable
	ids, out tf.Output
}

// Gather looks up rows of v at ids, an Embedding's lookup: GatherV2 on v's value along
// axis 0, an output of shape ids.shape + v.Shape[1:]. The lookup is recorded, so that an
// optimizer with OptimizerOptions.SparseEmbeddingGradients can see the gradient of v as
// Keras on TensorFlow does, one row per occurrence of an id (tf.IndexedSlices), rather
// than summed per id.
func (s *Scope) Gather(v *Variable, ids tf.Output) tf.Output {
	out := op.GatherV2(s.Op("GatherV2"), v.value, ids, s.Const(int32(0)))
	if s.Ok(out) {
		s.g.gathers = append(s.g.gathers, gather{v: v, ids: ids, out: out})
	}
	return out
}

// lookupsIn returns, per variable of vars, its recorded lookups whose rows loss is
// computed from: a model called again outside the loss (its inference outputs, a
// validation pass) looks the same table up in other Gathers, which get no gradient.
func (g *Graph) lookupsIn(loss tf.Output, vars []*Variable) [][]gather {
	og := newOpGraph(g.tfg)
	reaches := og.ancestors([]int{og.ref(loss).op}, nil)
	out := make([][]gather, len(vars))
	for i, v := range vars {
		for _, x := range g.gathers {
			if x.v == v && reaches[og.ref(x.out).op] {
				out[i] = append(out[i], x)
			}
		}
	}
	return out
}

// occurrenceSquares is what Keras's optimizers square when a variable's gradient is
// tf.IndexedSlices: for each row of v, the sum over the occurrences of its id in the
// lookups of the squares of their gradient rows, Σᵢ gᵢ² (where the dense gradient's
// square is (Σᵢ gᵢ)²). dOuts are the gradients of the lookups' outputs, in the order of
// lookups; a zero Output is a lookup the loss does not reach.
func occurrenceSquares(s *Scope, v *Variable, lookups []gather, dOuts []tf.Output) tf.Output {
	rows := s.Const(int32(v.Shape[0]))
	row := make([]int32, len(v.Shape))
	row[0] = -1
	for i := 1; i < len(v.Shape); i++ {
		row[i] = int32(v.Shape[i])
	}
	var parts []tf.Output
	for i, l := range lookups {
		if dOuts[i].Op == nil {
			continue
		}
		values := op.Reshape(s.Op("Reshape"), dOuts[i], s.Const(row))
		ids := op.Reshape(s.Op("Reshape"), l.ids, s.Const([]int32{-1}))
		parts = append(parts, op.UnsortedSegmentSum(s.Op("UnsortedSegmentSum"),
			op.Square(s.Op("Square"), values), ids, rows))
	}
	switch len(parts) {
	case 0:
		return op.ZerosLike(s.Op("ZerosLike"), v.value)
	case 1:
		return parts[0]
	}
	return op.AddN(s.Op("AddN"), parts)
}

// errSparseUnsupported is the error of an optimizer asked for SparseEmbeddingGradients
// that has no such update.
func errSparseUnsupported(name string) error {
	return fmt.Errorf("graphs: optimizer %s: sparse_embedding_gradients is implemented for Adam, AdamW and RMSprop only", name)
}

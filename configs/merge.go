package configs

import (
	"fmt"
	"slices"
)

// Merge layers (Keras's keras.layers.merging): called on several tensors of a functional
// model. Their shape rules are Keras's: the element-wise ones broadcast (Merge's
// _compute_elemwise_op_output_shape), Concatenate joins along an axis, Dot contracts one
// axis of each of two tensors (batch_dot).

// elementwiseMerge registers an element-wise merge layer (Add, Multiply ...); inputs is
// the exact number it takes (0: one or more, as Keras).
func elementwiseMerge(typ, doc string, inputs int) {
	spec := LayerSpec{
		Type:       typ,
		Doc:        doc,
		Shapes:     "several tensors whose shapes broadcast (aligned from the last axis, each dimension equal or 1) → the broadcast shape",
		Merge:      true,
		MinInputs:  1,
		MergeShape: func(_ *Layer, ins []Shape) (Shape, error) { return broadcastShapes(ins) },
	}
	if inputs > 0 {
		spec.MinInputs, spec.MaxInputs = inputs, inputs
		spec.Shapes = fmt.Sprintf("%d tensors whose shapes broadcast (aligned from the last axis, each dimension equal or 1) → the broadcast shape", inputs)
	}
	registerLayer(spec)
}

// broadcastShapes is Keras's element-wise merge shape: each pair of shapes aligned from
// the last axis, a dimension of 1 taking the other's, the output of the largest rank (a
// tensor of lower rank is expanded after the batch axis, as Keras's Merge.call does).
func broadcastShapes(ins []Shape) (Shape, error) {
	out := slices.Clone(ins[0])
	for _, s := range ins[1:] {
		a, b := out, s
		if len(a) < len(b) {
			a, b = b, a
		}
		next := slices.Clone(a[:len(a)-len(b)])
		for i, j := range b {
			d := a[len(a)-len(b)+i]
			switch {
			case d == 1:
				next = append(next, j)
			case j == 1 || d == j:
				next = append(next, d)
			default:
				return nil, fmt.Errorf("inputs have incompatible shapes %v and %v: aligned from the last axis, each dimension must be equal or 1", out, s)
			}
		}
		out = next
	}
	return out, nil
}

// kerasAxis turns a Keras axis of a tensor of rank rank (the batch axis included: 0 is
// the batch) into an index of its Shape (without the batch), refusing the batch axis.
func kerasAxis(key string, axis, rank int) (int, error) {
	a := axis
	if a < 0 {
		a += rank
	}
	if a <= 0 || a >= rank {
		return 0, argErr(key, "%d: not an axis of an input of rank %d besides the batch axis 0 (valid: 1 to %d, or -%d to -1)", axis, rank, rank-1, rank-1)
	}
	return a - 1, nil
}

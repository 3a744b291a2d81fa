package configs

import "fmt"

// LayerDot is Keras's Dot.
const LayerDot = "Dot"

func init() {
	registerLayer(LayerSpec{
		Type:      LayerDot,
		Doc:       "the dot product of its two inputs along one axis of each (Keras's batch_dot), of L2-normalized inputs with normalize (cosine proximity)",
		Shapes:    "two tensors with equal sizes along axes → the first's other axes, then the second's; (None, 1) when none are left",
		Merge:     true,
		MinInputs: 2,
		MaxInputs: 2,
		Args: []Arg{
			{Key: "axes", Kind: KindPair, Required: true, Samples: []any{-1, [2]int{1, 2}},
				Doc: "the axis of each input (Keras's numbering, 0 the batch axis, which cannot be taken): one integer for both, or [first, second]"},
			{Key: "normalize", Kind: KindBool, Default: false, Doc: "L2-normalize both inputs along axes first"},
		},
		MergeShape: func(l *Layer, ins []Shape) (Shape, error) {
			a, b, err := DotAxes(l, ins[0], ins[1])
			if err != nil {
				return nil, err
			}
			if ins[0][a] != ins[1][b] {
				return nil, fmt.Errorf("axis %d of %v has %d values, axis %d of %v %d; the dot product needs equal sizes", a+1, ins[0], ins[0][a], b+1, ins[1], ins[1][b])
			}
			var out Shape
			out = append(append(out, ins[0][:a]...), ins[0][a+1:]...)
			out = append(append(out, ins[1][:b]...), ins[1][b+1:]...)
			if len(out) == 0 {
				out = Shape{1}
			}
			return out, nil
		},
	})
}

// DotAxes returns the axes a Dot layer contracts, as indices of the two input Shapes
// (without the batch axis); Keras's negative axes count from each input's last.
func DotAxes(l *Layer, x, y Shape) (int, int, error) {
	axes := l.Pair("axes")
	a, err := kerasAxis("axes", axes[0], len(x)+1)
	if err != nil {
		return 0, 0, err
	}
	b, err := kerasAxis("axes", axes[1], len(y)+1)
	if err != nil {
		return 0, 0, err
	}
	return a, b, nil
}

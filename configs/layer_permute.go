package configs

import "fmt"

// LayerPermute is Keras's Permute.
const LayerPermute = "Permute"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerPermute,
		Doc:    "permutes the axes of each example",
		Shapes: "[d1, …, dk] → [d_dims[0], …, d_dims[k−1]]",
		Args: []Arg{{Key: "dims", Kind: KindInts, Required: true, Samples: []any{[]int{2, 1}},
			Doc: "the new order of the axes, counted from 1 (the batch, 0, stays first): [2, 1] swaps two axes"}},
		Check: func(l *Layer) error {
			dims := l.Ints("dims")
			if len(dims) == 0 {
				return argErr("dims", "empty; give a permutation of 1 … rank, e.g. [2, 1]")
			}
			seen := make([]bool, len(dims)+1)
			for i, d := range dims {
				if d < 1 || d > len(dims) || seen[d] {
					return argErr(fmt.Sprintf("dims[%d]", i), "%d: dims must be a permutation of 1 … %d (the batch axis 0 stays first)", d, len(dims))
				}
				seen[d] = true
			}
			return nil
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			dims := l.Ints("dims")
			if len(dims) != len(in) {
				return nil, argErr("dims", "%v permutes %d axes, the input %v has %d besides the batch", dims, len(dims), in, len(in))
			}
			out := make(Shape, len(in))
			for i, d := range dims {
				out[i] = in[d-1]
			}
			return out, nil
		},
		Example: Shape{3, 4},
	})
}

package configs

import "fmt"

// LayerAttention is Keras's Attention (Luong-style dot-product attention).
const LayerAttention = "Attention"

func init() {
	registerLayer(LayerSpec{
		Type: LayerAttention,
		Doc: "dot-product attention (Luong et al. 2015) of a query sequence over a value sequence (and key), " +
			"called on [query, value] or [query, value, key]; no weights but an optional learnt scale",
		Shapes:    "query [T, dim], value [S, dim], key [S, dim] → [T, dim]",
		Merge:     true,
		MinInputs: 2,
		MaxInputs: 3,
		Args: []Arg{
			{Key: "use_scale", Kind: KindBool, Default: false, Doc: "multiply the scores by a learnt scalar, scale"},
			{Key: "score_mode", Kind: KindString, Default: "dot", Choices: []string{"dot"},
				Note: "concat is not implemented", Doc: "how query and key are scored"},
			{Key: "dropout", Kind: KindFloat, Default: 0.0, Bound: Fraction, Doc: "dropout rate on the attention weights, in training"},
			{Key: "use_causal_mask", Kind: KindBool, Default: false,
				Doc: "Keras's call argument: each query step attends only to value steps at or before it"},
		},
		MergeShape: func(l *Layer, ins []Shape) (Shape, error) {
			for i, in := range ins {
				if len(in) != 2 {
					return nil, fmt.Errorf("input %d has shape %v, want (None, steps, features)", i, in)
				}
			}
			k := ins[1]
			if len(ins) == 3 {
				k = ins[2]
				if ins[2][0] != ins[1][0] {
					return nil, fmt.Errorf("value %v and key %v have different numbers of steps", ins[1], ins[2])
				}
			}
			if k[1] != ins[0][1] {
				return nil, fmt.Errorf("query %v and key %v have different feature sizes; dot-product scores need equal ones", ins[0], k)
			}
			return Shape{ins[0][0], ins[1][1]}, nil
		},
		Example: Shape{4, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			if l.Bool("use_scale") {
				return []Tensor{{Name: "scale", Dims: Shape{}}}
			}
			return nil
		},
		Kept: func(l *Layer, in, out Shape) []Tensor {
			return []Tensor{{Name: "weights", Dims: Shape{in[0], in[0]}}}
		},
	})
}

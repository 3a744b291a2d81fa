package configs

import "fmt"

// LayerMultiHeadAttention is Keras's MultiHeadAttention.
const LayerMultiHeadAttention = "MultiHeadAttention"

func init() {
	registerLayer(LayerSpec{
		Type: LayerMultiHeadAttention,
		Doc: "multi-head scaled dot-product attention (Vaswani et al. 2017) of a query sequence over a value sequence " +
			"(and key; called on [query, value] or [query, value, key], [x, x] for self-attention), dropout on the attention probabilities",
		Shapes:    "query [T, dim], value [S, value dim], key [S, key dim] → [T, dim] ([T, output_shape])",
		Merge:     true,
		MinInputs: 2,
		MaxInputs: 3,
		Args: []Arg{
			{Key: "num_heads", Kind: KindInt, Required: true, Bound: Positive, Doc: "attention heads"},
			{Key: "key_dim", Kind: KindInt, Required: true, Bound: Positive, Doc: "size of each head for query and key"},
			{Key: "value_dim", Kind: KindInt, DefaultFrom: "key_dim", Bound: Positive, Doc: "size of each head for value (default key_dim)"},
			{Key: "dropout", Kind: KindFloat, Default: 0.0, Bound: Fraction, Doc: "dropout rate on the attention probabilities, in training"},
			useBiasArg(),
			{Key: "output_shape", Kind: KindInts, Default: []int{}, Samples: []any{[]int{5}},
				Note: "one dimension (or none: the query's feature size)", Doc: "the output's feature size ([] : the query's last dimension)"},
			{Key: "use_causal_mask", Kind: KindBool, Default: false,
				Doc: "Keras's call argument: each query step attends only to key steps at or before it (a decoder's mask)"},
		},
		Check: func(l *Layer) error {
			if o := l.Ints("output_shape"); len(o) > 1 || len(o) == 1 && o[0] <= 0 {
				return argErr("output_shape", "%v: give [] or one positive size", o)
			}
			return nil
		},
		MergeShape: func(l *Layer, ins []Shape) (Shape, error) {
			for i, in := range ins {
				if len(in) != 2 {
					return nil, fmt.Errorf("input %d has shape %v, want (None, steps, features) (attention_axes other than the steps are not implemented)", i, in)
				}
			}
			if len(ins) == 3 && ins[2][0] != ins[1][0] {
				return nil, fmt.Errorf("value %v and key %v have different numbers of steps", ins[1], ins[2])
			}
			if l.Bool("use_causal_mask") && ins[0][0] != ins[1][0] {
				return nil, fmt.Errorf("use_causal_mask with query %v and value %v of different lengths", ins[0], ins[1])
			}
			out := Shape{ins[0][0], ins[0][1]}
			if o := l.Ints("output_shape"); len(o) == 1 {
				out[1] = o[0]
			}
			return out, nil
		},
		Example: Shape{4, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			h, k, v := l.Int("num_heads"), l.Int("key_dim"), l.Int("value_dim")
			d := in[len(in)-1]
			out := d
			if o := l.Ints("output_shape"); len(o) == 1 {
				out = o[0]
			}
			w := []Tensor{{Name: "query/kernel", Dims: Shape{d, h, k}}, {Name: "key/kernel", Dims: Shape{d, h, k}},
				{Name: "value/kernel", Dims: Shape{d, h, v}}, {Name: "attention_output/kernel", Dims: Shape{h, v, out}}}
			if l.Bool("use_bias") {
				w = append(w, Tensor{Name: "query/bias", Dims: Shape{h, k}}, Tensor{Name: "key/bias", Dims: Shape{h, k}},
					Tensor{Name: "value/bias", Dims: Shape{h, v}}, Tensor{Name: "attention_output/bias", Dims: Shape{out}})
			}
			return w
		},
		Kept: func(l *Layer, in, out Shape) []Tensor {
			h, k, v := l.Int("num_heads"), l.Int("key_dim"), l.Int("value_dim")
			t := in[0]
			return []Tensor{{Name: "query", Dims: Shape{t, h, k}}, {Name: "key", Dims: Shape{t, h, k}},
				{Name: "value", Dims: Shape{t, h, v}}, {Name: "probabilities", Dims: Shape{h, t, t}},
				{Name: "context", Dims: Shape{t, h, v}}}
		},
	})
}

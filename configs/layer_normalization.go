package configs

// LayerNormalization is Keras's Normalization (the preprocessing layer; Keras's
// LayerNormalization is another).
const LayerNormalization = "Normalization"

func init() {
	registerLayer(LayerSpec{
		Type: LayerNormalization,
		Doc: "(x − mean) / √variance per feature, mean and variance adapted from the training data " +
			"before the first step (Keras's adapt) and kept in the checkpoint",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "axis", Kind: KindInt, Default: -1, IntChoices: []int{-1},
				Note: "tfrun normalizes the last axis (features or channels) only", Doc: "the axis with a mean and variance each"},
		},
		Example: Shape{4, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			c := Shape{in[len(in)-1]}
			return []Tensor{{Name: "mean", Dims: c, Frozen: true}, {Name: "variance", Dims: c, Frozen: true}, {Name: "count", Dims: Shape{1}, Frozen: true}}
		},
	})
}

package configs

// LayerEmbedding is Keras's Embedding.
const LayerEmbedding = "Embedding"

func init() {
	registerLayer(LayerSpec{
		Type:     LayerEmbedding,
		Doc:      "a learnt vector per integer id (token id, class label); only first, on ids",
		Shapes:   "[length] ids in [0, input_dim) → [length, output_dim]",
		TakesIDs: true,
		Args: []Arg{
			{Key: "input_dim", Kind: KindInt, Required: true, Bound: Positive, Doc: "vocabulary size: ids are < input_dim"},
			{Key: "output_dim", Kind: KindInt, Required: true, Bound: Positive, Doc: "vector length"},
			{Key: "mask_zero", Kind: KindBool, Default: false, Later: true,
				Doc: "id 0 is padding: the output carries a mask (false at id 0) that the layers after it honour (see the mask column); input_dim counts id 0"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) < 1 {
				return nil, shapeErr(in, "(None, length)")
			}
			return append(append(Shape{}, in...), l.Int("output_dim")), nil
		},
		Example: Shape{5},
		Weights: func(l *Layer, in Shape) []Tensor {
			return []Tensor{{Name: "embeddings", Dims: Shape{l.Int("input_dim"), l.Int("output_dim")}}}
		},
	})
}

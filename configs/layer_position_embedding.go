package configs

import "fmt"

// LayerPositionEmbedding is keras_hub's PositionEmbedding.
const LayerPositionEmbedding = "PositionEmbedding"

func init() {
	registerLayer(LayerSpec{
		Type: LayerPositionEmbedding,
		Doc: "keras_hub's learnt position embedding: the first length rows of its table, one per position, the same for every " +
			"example (the input gives only the shape); add it to the token embeddings with Add",
		Shapes: "[length, features] with length ≤ sequence_length → the same",
		Args: []Arg{
			{Key: "sequence_length", Kind: KindInt, Required: true, Bound: Positive, Samples: []any{4, 6}, Doc: "the longest sequence: rows of the table"},
			{Key: "initializer", Kind: KindString, Default: InitializerGlorotUniform, Choices: Initializers(), Doc: "of the table"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 2 {
				return nil, shapeErr(in, "(None, length, features)")
			}
			if n := l.Int("sequence_length"); in[0] > n {
				return nil, fmt.Errorf("input shape %v: %d positions, more than sequence_length %d (keras_hub's hierarchical extension is not implemented)", in, in[0], n)
			}
			return in, nil
		},
		Example: Shape{4, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			return []Tensor{{Name: "embeddings", Dims: Shape{l.Int("sequence_length"), in[len(in)-1]}}}
		},
	})
}

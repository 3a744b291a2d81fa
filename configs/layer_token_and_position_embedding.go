package configs

import "fmt"

// LayerTokenAndPositionEmbedding is keras_hub's TokenAndPositionEmbedding.
const LayerTokenAndPositionEmbedding = "TokenAndPositionEmbedding"

// InitializerUniform is Keras's "uniform", random_uniform's alias (±0.05): keras_hub's
// spelling of TokenAndPositionEmbedding's default.
const InitializerUniform = "uniform"

func init() {
	registerLayer(LayerSpec{
		Type: LayerTokenAndPositionEmbedding,
		Doc: "keras_hub's token embedding + learnt position embedding in one layer, only first, on ids: an Embedding and a " +
			"PositionEmbedding summed; with mask_zero its output keeps the ids' mask (ids ≠ 0), which Add([Embedding, PositionEmbedding]) drops",
		Shapes:   "[length] ids in [0, vocabulary_size), length ≤ sequence_length → [length, embedding_dim]",
		TakesIDs: true,
		Args: []Arg{
			{Key: "vocabulary_size", Kind: KindInt, Required: true, Bound: Positive, Doc: "ids are < vocabulary_size (id 0 counts)"},
			{Key: "sequence_length", Kind: KindInt, Required: true, Bound: Positive, Samples: []any{5, 8}, Doc: "the longest sequence: rows of the position table"},
			{Key: "embedding_dim", Kind: KindInt, Required: true, Bound: Positive, Doc: "vector length"},
			{Key: "tie_weights", Kind: KindBool, Default: true,
				Doc: "keras_hub's reverse projection shares the token table (true); false adds its own reverse_embeddings [embedding_dim, vocabulary_size], which tfrun's models never call (it counts as parameters, as in keras_hub, non-trainable)"},
			{Key: "embeddings_initializer", Kind: KindString, Default: InitializerUniform, Choices: append([]string{InitializerUniform}, Initializers()...),
				Doc: "of both tables (keras_hub's: uniform, ±0.05)"},
			{Key: "mask_zero", Kind: KindBool, Default: false,
				Doc: "id 0 is padding: the output carries a mask (false at id 0) that the layers after it honour"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 1 {
				return nil, shapeErr(in, "(None, length)")
			}
			if n := l.Int("sequence_length"); in[0] > n {
				return nil, fmt.Errorf("input shape %v: %d positions, more than sequence_length %d", in, in[0], n)
			}
			return Shape{in[0], l.Int("embedding_dim")}, nil
		},
		Example: Shape{5},
		Weights: func(l *Layer, in Shape) []Tensor {
			out := []Tensor{{Name: "token_embedding/embeddings", Dims: Shape{l.Int("vocabulary_size"), l.Int("embedding_dim")}}}
			if !l.Bool("tie_weights") {
				out = append(out, Tensor{Name: "token_embedding/reverse_embeddings", Dims: Shape{l.Int("embedding_dim"), l.Int("vocabulary_size")}})
			}
			return append(out, Tensor{Name: "position_embedding/embeddings", Dims: Shape{l.Int("sequence_length"), l.Int("embedding_dim")}})
		},
	})
}

package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerTokenAndPositionEmbedding, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		t := NewTokenAndPositionEmbedding(name, c.Int("vocabulary_size"), c.Int("sequence_length"), c.Int("embedding_dim"))
		t.TieWeights = c.Bool("tie_weights")
		t.EmbeddingsInitializer = c.String("embeddings_initializer")
		t.MaskZero = c.Bool("mask_zero")
		return t, nil
	})
}

// TokenAndPositionEmbedding is keras_hub's TokenAndPositionEmbedding (keras_hub/src/layers/
// modeling/token_and_position_embedding.py): an Embedding "token_embedding" of ids
// [batch, length] plus a PositionEmbedding "position_embedding" of the result, both
// initialized with EmbeddingsInitializer (keras_hub's default "uniform", ±0.05, for the
// position table too). Its weights are token_embedding/embeddings [vocabulary_size,
// embedding_dim] and position_embedding/embeddings [sequence_length, embedding_dim], as
// keras_hub's. With MaskZero the output carries the token embedding's mask, ids ≠ 0
// (keras_hub sets it on the sum), unlike Add([Embedding, PositionEmbedding]), which drops
// it (Keras 3's Merge.compute_mask). TieWeights (keras_hub's default true) shares the token
// table with keras_hub's reverse projection; false gives the projection its own weight
// token_embedding/reverse_embeddings [embedding_dim, vocabulary_size] (keras's
// ReversibleEmbedding), which tfrun's models never call: it counts as parameters, as in
// keras_hub, but as a non-trainable weight (keras_hub counts it trainable and never gives
// it a gradient; tfrun refuses to train a weight the loss does not depend on).
type TokenAndPositionEmbedding struct {
	base
	VocabularySize, SequenceLength, EmbeddingDim int
	TieWeights                                   bool
	EmbeddingsInitializer                        string // "" is keras_hub's "uniform"
	MaskZero                                     bool

	token    *Embedding
	position *PositionEmbedding
}

// NewTokenAndPositionEmbedding returns a TokenAndPositionEmbedding layer with keras_hub's
// defaults (tie_weights true, uniform initializer, no mask).
func NewTokenAndPositionEmbedding(name string, vocabularySize, sequenceLength, embeddingDim int) *TokenAndPositionEmbedding {
	return &TokenAndPositionEmbedding{base: base{name: name}, VocabularySize: vocabularySize,
		SequenceLength: sequenceLength, EmbeddingDim: embeddingDim, TieWeights: true}
}

func (t *TokenAndPositionEmbedding) Type() string { return "TokenAndPositionEmbedding" }

func (t *TokenAndPositionEmbedding) Build(s *graphs.Scope, in Shape) (Shape, error) {
	for _, a := range []struct {
		key string
		v   int
	}{{"vocabulary_size", t.VocabularySize}, {"sequence_length", t.SequenceLength}, {"embedding_dim", t.EmbeddingDim}} {
		if err := checkPositive(t, a.key, a.v); err != nil {
			return nil, err
		}
	}
	if len(in) != 1 || in[0] <= 0 {
		return nil, shapeError(t, in, "(None, length)")
	}
	if in[0] > t.SequenceLength {
		return nil, shapeError(t, in, fmt.Sprintf("at most sequence_length = %d positions", t.SequenceLength))
	}
	init := t.EmbeddingsInitializer
	if init == "" {
		init = configs.InitializerUniform
	}
	if _, err := initializer(t, "embeddings_initializer", init, nil); err != nil {
		return nil, err
	}
	t.begin(s)
	t.vars = nil
	t.token = NewEmbedding("token_embedding", t.VocabularySize, t.EmbeddingDim)
	t.token.MaskZero, t.token.Initializer = t.MaskZero, init
	t.position = NewPositionEmbedding("position_embedding", t.SequenceLength)
	t.position.Initializer = init
	tok, err := t.token.Build(t.scope, in)
	if err != nil {
		return nil, err
	}
	if !t.TieWeights { // ReversibleEmbedding's own weight, after its table
		ini, _ := initializer(t, "embeddings_initializer", init, nil)
		t.token.variable("reverse_embeddings", []int64{int64(t.EmbeddingDim), int64(t.VocabularySize)}, ini, false)
	}
	if _, err := t.position.Build(t.scope, tok); err != nil {
		return nil, err
	}
	t.vars = append(append(t.vars, t.token.Variables()...), t.position.Variables()...)
	return tok, nil
}

// Call is the token embedding plus the position embedding, in the type the layer
// computes in.
func (t *TokenAndPositionEmbedding) Call(x tf.Output, training bool) tf.Output {
	out, _ := t.CallMasked([]tf.Output{x}, nil, training)
	return out
}

// CallMasked is Call, and with MaskZero the token embedding's mask, ids ≠ 0.
func (t *TokenAndPositionEmbedding) CallMasked(xs, _ []tf.Output, training bool) (tf.Output, tf.Output) {
	tok, mask := t.token.CallMasked(xs, nil, training)
	pos := t.position.Call(tok, training)
	return op.AddV2(t.scope.Op("AddV2"), tok, pos), mask
}

package configs

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// configs/imdb_transformer.yaml's TokenAndPositionEmbedding refuses a vocabulary smaller
// than data.num_words, a sequence_length shorter than the input and an unknown
// initializer, each at its key.
func TestTokenAndPositionEmbeddingConfigErrors(t *testing.T) {
	raw, err := os.ReadFile("imdb_transformer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const line = "type: TokenAndPositionEmbedding, vocabulary_size: 20000, sequence_length: 400, embedding_dim: 32"
	for _, tt := range []struct {
		name, key, repl, also string
	}{
		{"vocabulary below num_words", "model.layers[0].vocabulary_size",
			"type: TokenAndPositionEmbedding, vocabulary_size: 100, sequence_length: 400, embedding_dim: 32", "vocabulary_size must be >= num_words"},
		{"sequence_length below maxlen", "model.layers[0]",
			"type: TokenAndPositionEmbedding, vocabulary_size: 20000, sequence_length: 300, embedding_dim: 32", "400 positions, more than sequence_length 300"},
		{"initializer", "model.layers[0].embeddings_initializer",
			"type: TokenAndPositionEmbedding, vocabulary_size: 20000, sequence_length: 400, embedding_dim: 32, embeddings_initializer: lecun", "uniform"},
		{"embedding_dim 0", "model.layers[0].embedding_dim",
			"type: TokenAndPositionEmbedding, vocabulary_size: 20000, sequence_length: 400, embedding_dim: 0", "embedding_dim"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeYAML(t, t.TempDir(), "case.yaml", edit(t, string(raw), line, tt.repl))
			_, err := Load(path)
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			var e *Error
			if !errors.As(err, &e) || e.Key != tt.key {
				t.Errorf("error %v: want key %q", err, tt.key)
			}
			if !strings.Contains(err.Error(), tt.also) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.also)
			}
		})
	}
}

package configs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shipped Transformer configs (the tuned recipe and the Keras example's) load as the
// functional graph they describe.
func TestIMDBTransformerLoads(t *testing.T) {
	for _, path := range []string{"imdb_transformer.yaml", filepath.Join("examples", "imdb_transformer_keras_example.yaml")} {
		t.Run(path, func(t *testing.T) { testIMDBTransformerLoads(t, path) })
	}
}

func testIMDBTransformerLoads(t *testing.T, path string) {
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.Supervised().Model.Graph()
	if err != nil {
		t.Fatal(err)
	}
	// The tuned recipe embeds with TokenAndPositionEmbedding (masked); the Keras example
	// with Embedding + PositionEmbedding + Add (unmasked in Keras 3).
	nodes, first := 17, LayerEmbedding
	if path == "imdb_transformer.yaml" {
		nodes, first = 15, LayerTokenAndPositionEmbedding
	}
	if n := len(g.Nodes); n != nodes {
		t.Errorf("%d nodes, want %d", n, nodes)
	}
	if l := c.Supervised().Model.Layers[0]; l.Type != first || !l.Bool("mask_zero") {
		t.Errorf("first layer %s, mask_zero %v; want a %s with mask_zero", l.Type, l.Bool("mask_zero"), first)
	}
}

// Each bad argument or call of the attention and masking layers is refused at its key,
// saying what would be valid. The cases edit the Keras example's recipe (maxlen 200).
func TestAttentionConfigErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("examples", "imdb_transformer_keras_example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base := string(raw)
	const mha = "{name: attention, type: MultiHeadAttention, num_heads: 2, key_dim: 32, call: [embeddings, embeddings]}"
	tests := []struct {
		name, key string
		oldNew    []string
		also      string
	}{
		{"MultiHeadAttention on one tensor", "model.layers[3].call", []string{mha,
			"{name: attention, type: MultiHeadAttention, num_heads: 2, key_dim: 32, call: [embeddings]}"},
			"MultiHeadAttention is called on 1 tensors (embeddings); it takes 2 to 3"},
		{"MultiHeadAttention output_shape of two dimensions", "model.layers[3].output_shape", []string{mha,
			"{name: attention, type: MultiHeadAttention, num_heads: 2, key_dim: 32, output_shape: [4, 8], call: [embeddings, embeddings]}"},
			"give [] or one positive size"},
		{"MultiHeadAttention without key_dim", "model.layers[3].key_dim", []string{mha,
			"{name: attention, type: MultiHeadAttention, num_heads: 2, call: [embeddings, embeddings]}"}, "key_dim"},
		{"MultiHeadAttention dropout 1", "model.layers[3].dropout", []string{mha,
			"{name: attention, type: MultiHeadAttention, num_heads: 2, key_dim: 32, dropout: 1, call: [embeddings, embeddings]}"}, "dropout"},
		{"MultiHeadAttention on flat features", "model.layers[4]", []string{mha,
			"{name: flat, type: GlobalAveragePooling1D, call: embeddings}\n    - {name: attention, type: MultiHeadAttention, num_heads: 2, key_dim: 32, call: [flat, flat]}"},
			"want (None, steps, features)"},
		{"Attention of unequal features", "model.layers[4]", []string{mha,
			"{name: narrow, type: Dense, units: 8, call: embeddings}\n    - {name: attention, type: Attention, call: [embeddings, narrow]}"},
			"different feature sizes"},
		{"Attention score_mode concat", "model.layers[3].score_mode", []string{mha,
			"{name: attention, type: Attention, score_mode: concat, call: [embeddings, embeddings]}"}, "concat is not implemented"},
		{"PositionEmbedding shorter than the input", "model.layers[1]", []string{"sequence_length: 200}", "sequence_length: 100}"},
			"200 positions, more than sequence_length 100"},
		{"Masking on a vector", "model.layers[13]", []string{"{name: dropout, type: Dropout, rate: 0.1}", "{name: dropout, type: Masking}"},
			"want (None, steps, features)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeYAML(t, t.TempDir(), "case.yaml", edit(t, base, tt.oldNew...))
			_, err := Load(path)
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			var e *Error
			if !errors.As(err, &e) || e.Key != tt.key || !errors.Is(err, ErrBadValue) && !errors.Is(err, ErrMissingKey) {
				t.Errorf("error %v: key %q, want %q", err, e.Key, tt.key)
			}
			if !strings.Contains(err.Error(), tt.also) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.also)
			}
		})
	}
}

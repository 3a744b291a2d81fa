package builders

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// keras_token_position.json, written by testdata/keras/make_token_position_golden.py.
type tokenPositionGolden struct {
	Keras, TensorFlow string
	KerasHub          string `json:"keras_hub"`
	Layers            []struct {
		Name            string         `json:"name"`
		Config          map[string]any `json:"config"`
		CountParams     int            `json:"count_params"`
		SupportsMasking bool           `json:"supports_masking"`
		InputShape      []int64        `json:"input_shape"`
		Input           []float64      `json:"input"`
		OutputShape     []int64        `json:"output_shape"`
		Output          []float64      `json:"output"`
		OutputMask      []float64      `json:"output_mask"`
		Weights         []kerasWeight  `json:"weights"`
	}
	Models []maskedModelCase
}

func loadTokenPositionGolden(t *testing.T) tokenPositionGolden {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_token_position.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g tokenPositionGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("testdata/keras_token_position.json: %v", err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	return g
}

func int32s(v []float64) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

// TokenAndPositionEmbedding, given keras_hub 0.32.0's weights and padded ids, computes its
// output in inference within kerasGoldenTol, with its weight names and layouts, its
// parameter count, its defaults (tie_weights true, uniform ±0.05) and its mask: ids ≠ 0
// with mask_zero, none without.
func TestTokenAndPositionEmbeddingKeras(t *testing.T) {
	g := loadTokenPositionGolden(t)
	if len(g.Layers) == 0 {
		t.Fatal("no layer cases")
	}
	for _, kc := range g.Layers {
		t.Run(kc.Name, func(t *testing.T) {
			c := kc.Config
			l := NewTokenAndPositionEmbedding(fmt.Sprint(c["name"]), int(c["vocabulary_size"].(float64)),
				int(c["sequence_length"].(float64)), int(c["embedding_dim"].(float64)))
			l.MaskZero, l.TieWeights = c["mask_zero"].(bool), c["tie_weights"].(bool)
			ini := c["embeddings_initializer"].(map[string]any)
			switch cfg := ini["config"].(map[string]any); {
			case ini["class_name"] == "GlorotUniform":
				l.EmbeddingsInitializer = configs.InitializerGlorotUniform
			case ini["class_name"] != "RandomUniform" || cfg["minval"] != -0.05 || cfg["maxval"] != 0.05:
				t.Errorf("keras_hub's default initializer %v, tfrun's is uniform ±0.05", ini)
			}
			gr := graphs.NewGraph(tf.Float, 1)
			s := gr.Root()
			x := s.Placeholder("ids", tf.Int32, -1, kc.InputShape[1])
			out, err := l.Build(s, shapeOf(kc.InputShape[1:]))
			if err != nil {
				t.Fatal(err)
			}
			if want := shapeOf(kc.OutputShape[1:]); out.String() != want.String() {
				t.Errorf("output shape %v, Keras %v", out, want)
			}
			if tr, nt := CountParams(l.Variables()); tr+nt != kc.CountParams {
				t.Errorf("%d parameters, keras_hub %d", tr+nt, kc.CountParams)
			}
			y, mask := callMasked(s, l, []tf.Output{x}, []tf.Output{{}}, false)
			fetch := []tf.Output{y}
			switch {
			case kc.OutputMask != nil && mask.Op == nil:
				t.Fatal("no output mask; keras_hub's output has one")
			case kc.OutputMask == nil && mask.Op != nil:
				t.Fatal("an output mask; keras_hub's output has none")
			case kc.OutputMask != nil:
				fetch = append(fetch, op.Cast(s.Op("Cast"), mask, tf.Float))
			}
			// The layer's scope is the golden's layer name, as in keras_hub.
			sess := kerasSession(t, gr, l.Variables(), kc.Weights, "")
			defer sess.Close()
			ids, err := graphs.NewTensor(int32s(kc.Input), kc.InputShape...)
			if err != nil {
				t.Fatal(err)
			}
			res, err := sess.Run(map[tf.Output]*tf.Tensor{x: ids}, fetch)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("max |tfrun − keras_hub| = %.2g", compareKeras(t, graphs.Float64s(res[0]), kc.Output))
			if kc.OutputMask != nil {
				if got := graphs.Float64s(res[1]); fmt.Sprint(got) != fmt.Sprint(kc.OutputMask) {
					t.Errorf("mask %v, keras_hub %v", got, kc.OutputMask)
				}
			}
		})
	}
}

// The mask propagates: TokenAndPositionEmbedding(mask_zero) → GlobalAveragePooling1D (and
// the same with a MultiHeadAttention block before the pooling) gives keras_hub's output,
// the average over the unmasked steps only; without mask_zero the output differs (the
// padding averaged), so the test sees the mask's effect.
func TestTokenAndPositionEmbeddingMaskKeras(t *testing.T) {
	g := loadTokenPositionGolden(t)
	twins := map[string]func() *Functional{
		"masked_gap": func() *Functional {
			return NewFunctional("functional", []string{"ids"}, []string{"pool"},
				Node{Tensor: "emb", Layer: NewTokenAndPositionEmbedding("token_and_position_embedding", 10, 6, 3), Call: []string{"ids"}},
				Node{Tensor: "pool", Layer: NewGlobalAveragePooling1D("global_average_pooling1d"), Call: []string{"emb"}})
		},
		"masked_block_gap_compute_mask": func() *Functional {
			return NewFunctional("functional", []string{"ids"}, []string{"pool"},
				Node{Tensor: "emb", Layer: NewTokenAndPositionEmbedding("token_and_position_embedding", 10, 6, 4), Call: []string{"ids"}},
				Node{Tensor: "a", Layer: NewMultiHeadAttention("multi_head_attention", 2, 3), Call: []string{"emb", "emb"}},
				Node{Tensor: "r", Layer: NewAdd("add"), Call: []string{"emb", "a"}},
				Node{Tensor: "n", Layer: NewLayerNormalization("layer_normalization"), Call: []string{"r"}},
				Node{Tensor: "pool", Layer: NewGlobalAveragePooling1D("global_average_pooling1d"), Call: []string{"n"}})
		},
	}
	setMask := func(m *Functional, on bool) *Functional {
		for _, n := range m.Nodes {
			if e, ok := n.Layer.(*TokenAndPositionEmbedding); ok {
				e.MaskZero = on
			}
		}
		return m
	}
	for _, mc := range g.Models {
		t.Run(mc.Name, func(t *testing.T) {
			if mc.Name == "masked_block_gap" {
				// keras_hub's layer as is: Keras 3.15.1's MultiHeadAttention deletes the
				// mask of its inputs, and keras_hub's layer (no compute_mask) loses it
				// before the residual Add, so Keras's pooling averages the padding too.
				// tfrun keeps the mask (as Keras does for an Embedding's): the outputs
				// must differ, or the golden no longer shows the quirk.
				got := graphs.Float64s(runMaskedModel(t, setMask(twins["masked_block_gap_compute_mask"](), true), mc, true))
				diff := 0.0
				for i := range got {
					diff = max(diff, math.Abs(got[i]-mc.Output[i]))
				}
				if diff < 1e-3 {
					t.Errorf("tfrun within %.2g of keras_hub's block whose pooling lost the mask: has Keras's quirk gone?", diff)
				}
				return
			}
			mk, ok := twins[mc.Name]
			if !ok {
				t.Fatalf("no tfrun twin for %s", mc.Name)
			}
			delete(twins, mc.Name)
			got := graphs.Float64s(runMaskedModel(t, setMask(mk(), true), mc, true))
			t.Logf("max |tfrun − keras_hub| = %.2g", compareKeras(t, got, mc.Output))
			unmasked := graphs.Float64s(runMaskedModel(t, setMask(mk(), false), mc, false))
			diff := 0.0
			for i := range unmasked {
				diff = max(diff, math.Abs(unmasked[i]-mc.Output[i]))
			}
			if diff < 1e-3 {
				t.Errorf("without mask_zero the output is within %.2g of the masked one: the case does not test the mask", diff)
			}
		})
	}
	for name := range twins {
		t.Errorf("no golden case %q in testdata/keras_token_position.json", name)
	}
}

// TokenAndPositionEmbedding's math (the token table's rows plus the position table's,
// then pooled over the unmasked steps) has the gradients central finite differences give
// for both tables (float64).
func TestTokenAndPositionEmbeddingGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	p := func(name string, shape ...int64) gradcheck.Param { return gradcheck.Random(name, rng, 1, shape...) }
	ids := [][]int32{{0, 0, 3, 5}, {4, 1, 6, 0}}
	worst, err := gradcheck.Check([]gradcheck.Param{p("token", 7, 3), p("position", 6, 3)},
		func(s *graphs.Scope, in []tf.Output) tf.Output {
			x := s.Const(ids)
			tok := embeddingLookup(s, in[0], x)
			y := op.AddV2(s.Op("AddV2"), tok, positionEmbeddingOp(s, in[1], tok, 4, 6))
			gap := NewGlobalAveragePooling1D("gap")
			if _, err := gap.Build(s, Shape{4, 3}); err != nil {
				s.Fail("%v", err)
				return y
			}
			mask := op.NotEqual(s.Op("NotEqual"), x, op.ZerosLike(s.Op("ZerosLike"), x))
			pooled, _ := gap.CallMasked([]tf.Output{y}, []tf.Output{mask}, true)
			return gradcheck.Project(s, pooled, []int64{2, 3}, 5)
		}, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("worst relative difference %.2g", worst)
}

// tokenAndPositionMixedCases are TokenAndPositionEmbedding's mixed_bfloat16 cases
// (precision_test.go), with and without mask_zero.
func tokenAndPositionMixedCases() []mixedCase {
	masked := func() Layer {
		l := NewTokenAndPositionEmbedding("token_and_position_embedding", 50, 9, 8)
		l.MaskZero = true
		return l
	}
	return []mixedCase{
		{"TokenAndPositionEmbedding", func() Layer { return NewTokenAndPositionEmbedding("token_and_position_embedding", 50, 7, 8) }, Shape{7}, 50, true},
		{"TokenAndPositionEmbedding_mask_zero", masked, Shape{7}, 50, true},
	}
}

// TokenAndPositionEmbedding refuses what it cannot take, naming the layer and the argument.
func TestTokenAndPositionEmbeddingBuildErrors(t *testing.T) {
	mk := func(f func(*TokenAndPositionEmbedding)) *TokenAndPositionEmbedding {
		l := NewTokenAndPositionEmbedding("token_and_position_embedding", 10, 4, 3)
		if f != nil {
			f(l)
		}
		return l
	}
	cases := []struct {
		name string
		l    *TokenAndPositionEmbedding
		in   Shape
		want string
	}{
		{"vocabulary_size", mk(func(l *TokenAndPositionEmbedding) { l.VocabularySize = 0 }), Shape{4}, "vocabulary_size"},
		{"sequence_length", mk(func(l *TokenAndPositionEmbedding) { l.SequenceLength = 0 }), Shape{4}, "sequence_length"},
		{"embedding_dim", mk(func(l *TokenAndPositionEmbedding) { l.EmbeddingDim = -1 }), Shape{4}, "embedding_dim"},
		{"initializer", mk(func(l *TokenAndPositionEmbedding) { l.EmbeddingsInitializer = "lecun" }), Shape{4}, "embeddings_initializer"},
		{"too long", mk(nil), Shape{5}, "at most sequence_length = 4 positions"},
		{"features in", mk(nil), Shape{4, 2}, "(None, length)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			_, err := tc.l.Build(g.Root(), tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "token_and_position_embedding") {
				t.Fatalf("error %v, want one naming the layer and %q", err, tc.want)
			}
		})
	}
}

// The registry's weights (configs, for the summary and the memory estimate) are the
// builder's, names and shapes.
func TestTokenAndPositionEmbeddingRegistryWeights(t *testing.T) {
	spec, ok := configs.LookupLayer(configs.LayerTokenAndPositionEmbedding)
	if !ok {
		t.Fatal("TokenAndPositionEmbedding is not registered")
	}
	if d := spec.Args[3]; d.Key != "tie_weights" || d.Default != true {
		t.Errorf("argument 3 %s default %v, keras_hub's tie_weights defaults to true", d.Key, d.Default)
	}
	if configs.MaskRule(spec.Type) != configs.MaskMakes {
		t.Errorf("mask rule %s, want %s (keras_hub sets the token mask on the sum)", configs.MaskRule(spec.Type), configs.MaskMakes)
	}
	l := NewTokenAndPositionEmbedding("token_and_position_embedding", 10, 4, 3)
	g := graphs.NewGraph(tf.Float, 1)
	if _, err := l.Build(g.Root(), Shape{4}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range l.Variables() {
		got = append(got, fmt.Sprintf("%s%v", v.Name, v.Shape))
	}
	want := "[token_and_position_embedding/token_embedding/embeddings[10 3] token_and_position_embedding/position_embedding/embeddings[4 3]]"
	if fmt.Sprint(got) != want {
		t.Errorf("variables %v, want %s", got, want)
	}
}

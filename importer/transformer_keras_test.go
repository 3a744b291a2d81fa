package importer

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// testdata/transformer_golden.json, written by testdata/make_transformer_golden.py from
// the Keras twin of configs/imdb_transformer.yaml (bench/keras/imdb_transformer.py).
type transformerGolden struct {
	Keras, TensorFlow string
	Initializers      []kerasInitStats
	Steps             struct {
		Vocab, Maxlen, Batch int
		WarmupSteps          int     `json:"warmup_steps"`
		DecaySteps           int     `json:"decay_steps"`
		WarmupTarget         float64 `json:"warmup_target"`
		Data                 map[string]struct {
			Tokens [][]int32
			Labels [][]float32
		}
		Cases []struct {
			Model, Data    string
			WeightDecay    float64   `json:"weight_decay"`
			InitialWeights string    `json:"initial_weights"`
			LearningRate   []float64 `json:"learning_rate"`
			Loss           []float64
			Accuracy       []float64
			FinalWeights   string `json:"final_weights"`
		}
	}
}

// kerasInitStats describes one weight of the Keras model as its initializer drew it.
type kerasInitStats struct {
	Path                       string
	Shape                      []int64
	Count                      int
	Mean, Std, Min, Max, Bound float64
	Fans                       []int
}

func loadTransformerGolden(t *testing.T) transformerGolden {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "transformer_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g transformerGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("testdata/transformer_golden.json: %v", err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	return g
}

// transformerConfig writes configs/imdb_transformer.yaml into dir with each edit (old →
// new, and how many times old must occur) applied, and loads it.
func transformerConfig(t *testing.T, dir string, edits [][3]string) *configs.Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "configs", "imdb_transformer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	for _, e := range edits {
		if n := fmt.Sprint(strings.Count(body, e[0])); n != e[2] {
			t.Fatalf("configs/imdb_transformer.yaml has %q %s times, the test expects %s", e[0], n, e[2])
		}
		body = strings.ReplaceAll(body, e[0], e[1])
	}
	path := filepath.Join(dir, "imdb_transformer.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// values reads a classifier's model weights by Keras's path (<layer>/<weight>, the model's
// scope dropped).
func weightValues(t *testing.T, c *classifier.Classifier) map[string][]float64 {
	t.Helper()
	vars := c.Weights()
	ts, err := c.Session().Get(vars...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float64{}
	for i, v := range vars {
		out[v.Name[strings.Index(v.Name, "/")+1:]] = graphs.Float64s(ts[i])
	}
	return out
}

// The initial weights of configs/imdb_transformer.yaml's model at seed 42 are drawn as
// Keras 3.15.1 draws its twin's (bench/keras/imdb_transformer.py): for every weight the
// same bound (each |x| within it, the largest near it), a standard deviation of bound/√3
// within 5 sampling standard errors (a uniform's), a mean near 0; the constant weights
// (biases, LayerNormalization's gamma and beta) equal to Keras's. MultiHeadAttention's
// kernels take Keras 3's EinsumDense fans: query/key/value [32, 2, 32] fan_in 32 and
// fan_out 64 (bound 0.25), attention_output [2, 32, 32] 64 and 32; a kernel's leading
// axes are not a receptive field there as they are in a convolution's.
func TestTransformerInitializersKeras(t *testing.T) {
	g := loadTransformerGolden(t)
	// The golden's twin embeds as the config did before session 10's
	// TokenAndPositionEmbedding (Embedding + PositionEmbedding + Add; builders' golden
	// tests check the new layer's initializers).
	cfg := transformerConfig(t, t.TempDir(), [][3]string{{tokenAndPositionLines, unmaskedEmbeddingLines, "1"}})
	c, err := classifier.FromConfig(cfg, builders.Shape{400}, true, 42, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := weightValues(t, c)
	if len(got) != len(g.Initializers) {
		t.Errorf("%d weights, Keras's model %d", len(got), len(g.Initializers))
	}
	for _, k := range g.Initializers {
		t.Run(k.Path, func(t *testing.T) {
			v, ok := got[k.Path]
			if !ok {
				t.Fatalf("no weight %s", k.Path)
			}
			if len(v) != k.Count {
				t.Fatalf("%d values, Keras %d", len(v), k.Count)
			}
			n := float64(len(v))
			var sum, sq float64
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, x := range v {
				sum += x
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
			mean := sum / n
			for _, x := range v {
				sq += (x - mean) * (x - mean)
			}
			std := math.Sqrt(sq / n)
			t.Logf("tfrun std %.4f min %+.4f max %+.4f; Keras std %.4f min %+.4f max %+.4f; bound %.4f",
				std, lo, hi, k.Std, k.Min, k.Max, k.Bound)
			if k.Bound == 0 { // a constant: zeros or ones
				if lo != k.Min || hi != k.Max {
					t.Errorf("values in [%g, %g], Keras's all %g", lo, hi, k.Min)
				}
				return
			}
			// Sampling errors of a uniform's standard deviation (√(0.8/4n) relative) and
			// mean; the expected largest |x| of n draws is bound·(1 − 1/(n+1)).
			want := k.Bound / math.Sqrt(3)
			for _, s := range []struct {
				who string
				std float64
			}{{"tfrun", std}, {"Keras", k.Std}} {
				if rel := math.Abs(s.std/want - 1); rel > 5*math.Sqrt(0.8/(4*n)) {
					t.Errorf("%s std %.4f, want %.4f (bound %.4f / √3) within %.1f%%", s.who, s.std, want, k.Bound, 500*math.Sqrt(0.8/(4*n)))
				}
			}
			if m := math.Max(-lo, hi); m > k.Bound*(1+1e-6) || m < k.Bound*(1-10/n) {
				t.Errorf("max |x| %.4f, want in [1 − 10/n, 1]·%.4f (Keras's bound)", m, k.Bound)
			}
			if math.Abs(mean) > 5*want/math.Sqrt(n) {
				t.Errorf("mean %.4g, want 0 ± %.2g", mean, 5*want/math.Sqrt(n))
			}
		})
	}
}

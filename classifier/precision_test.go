package classifier

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// Under mixed_bfloat16 a small MLP learns two moons as in float32, and every variable of
// the graph (weights, Adam's slots and counters) keeps its float32 (or integer) type.
func TestMixedBFloat16Classifier(t *testing.T) {
	train, test := twoMoons(1000, 0.1, 1), twoMoons(500, 0.1, 2)
	c, err := NewClassifier(ClassifierSpec{
		Layers: []builders.Layer{
			builders.NewDense("dense", 16, "tanh"),
			builders.NewDense("dense_1", 16, "tanh"),
			builders.NewDense("dense_2", 1, "sigmoid"),
		},
		Input: builders.Shape{2}, Seed: 1, Threads: 1, Precision: configs.PrecisionMixedBFloat16,
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) {
			return graphs.NewAdam(s, "adam", 0.01, graphs.AdamBeta1, graphs.AdamBeta2, graphs.AdamEpsilon), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Graph().Mixed() {
		t.Fatal("the graph does not compute in bfloat16")
	}
	slots := 0
	for _, v := range c.Variables() {
		if v.DType != tf.Float && v.DType != tf.Int64 {
			t.Errorf("variable %s is %v, want float32 (or an int64 counter)", v.Name, v.DType)
		}
		if strings.Contains(v.Name, "adam") && v.DType == tf.Float {
			slots++
		}
	}
	if slots < 6 { // m and v of three kernels and three biases at least
		t.Errorf("%d float32 Adam variables, want ≥ 6", slots)
	}
	if _, err := fit(t, context.Background(), c, train, test, 20, 32); err != nil {
		t.Fatal(err)
	}
	loss, acc, err := c.Evaluate(test, 100)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mixed_bfloat16: test loss %.4f, accuracy %.4f", loss, acc)
	if acc < 0.95 {
		t.Errorf("test accuracy %.4f, want > 0.95", acc)
	}
}

// A checkpoint of a mixed_bfloat16 run holds float32 tensors only and resumes a float32
// run of the same model, and the other way round: the precision is not part of the model.
func TestPrecisionCheckpointsInterchange(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	mixed := runtest.LoadConfig(t, "precision: mixed_bfloat16\n"+tinyYAML)
	f32 := runtest.LoadConfig(t, tinyYAML)
	for _, tc := range []struct {
		name          string
		first, second *configs.Config
	}{
		{"mixed_then_float32", mixed, f32},
		{"float32_then_mixed", f32, mixed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := runTiny(t, context.Background(), tc.first, dir, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
				t.Fatal(err)
			}
			prefix := filepath.Join(checkpoints.Dir(dir), checkpoints.Name(tinyStepsPerEpoch))
			entries, err := checkpoints.List(prefix)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.DType == tf.Bfloat16 || e.DType == tf.Half {
					t.Errorf("checkpoint tensor %v", e)
				}
			}
			first := runtest.HistoryWithoutSeconds(t, dir)
			m, err := runTiny(t, context.Background(), tc.second, dir, func(o *runner.Options) { o.Resume, o.Epochs = true, 2 })
			if err != nil {
				t.Fatalf("resuming under precision %s: %v", tc.second.Precision, err)
			}
			h := runtest.HistoryWithoutSeconds(t, dir)
			if len(h.Epochs) != 2 || h.Metrics["loss"][0] != first.Metrics["loss"][0] {
				t.Errorf("history after the resume: %+v; want the first run's epoch 1 (%+v), then epoch 2", h, first)
			}
			if m.EpochsRun != 2 || !(m.TestAccuracy > 0) {
				t.Errorf("metrics %+v", m)
			}
		})
	}
}

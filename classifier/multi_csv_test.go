package classifier

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// writeReviews writes n rows of price,stars,length,sentiment,rating: sentiment a class
// name from stars, rating a number from price and length.
func writeReviews(t *testing.T, path string, n, offset int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("price,stars,length,sentiment,rating\n")
	for i := range n {
		k := i + offset
		price, stars, length := float64(k%17)*3.5+10, float64(k*7%5+1), float64(k*13%31)+5
		sentiment := []string{"bad", "bad", "ok", "good", "good"}[int(stars)-1]
		rating := 0.05*price - 0.02*length + 1
		fmt.Fprintf(&b, "%g,%g,%g,%s,%.4f\n", price, stars, length, sentiment, rating)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A CSV read by data.inputs and data.outputs feeds a model of two inputs and two
// outputs, which learns both heads.
func TestMultiCSVTrains(t *testing.T) {
	dir := t.TempDir()
	train, test := filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")
	writeReviews(t, train, 200, 0)
	writeReviews(t, test, 40, 1000)
	d := configs.Data{Format: configs.FormatCSV, Path: train, TestPath: test, ValidationSplit: 0.25,
		Inputs:  configs.DataInputs{{Name: "extra", Columns: []string{"length"}}, {Name: "numbers", Columns: []string{"price", "stars"}}},
		Outputs: configs.DataOutputs{{Name: "class", Columns: configs.Columns{"sentiment"}}, {Name: "value", Columns: configs.Columns{"rating"}}},
	}
	s, err := loadMultiCSV(d, func(o string) bool { return o == "value" }, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 150 || s.Validation.Len() != 50 || s.Test.Len() != 40 {
		t.Fatalf("splits %d/%d/%d, want 150/50/40", s.Train.Len(), s.Validation.Len(), s.Test.Len())
	}
	if !slices.Equal(s.ClassNames["class"], []string{"bad", "good", "ok"}) || s.ClassNames["value"] != nil {
		t.Errorf("class names %v", s.ClassNames)
	}
	if sh := s.Train.Inputs["numbers"].Shape; !slices.Equal(sh, builders.Shape{2}) {
		t.Errorf("numbers shape %v", sh)
	}
	for _, in := range []string{"numbers", "extra"} { // standardized on the training rows
		x, k := s.Train.Inputs[in].Floats, s.Train.Inputs[in].Shape[0]
		for j := range k {
			var mean, sq float64
			for r := range s.Train.Len() {
				v := float64(x[r*k+j])
				mean += v
				sq += v * v
			}
			mean /= float64(s.Train.Len())
			if v := sq/float64(s.Train.Len()) - mean*mean; math.Abs(mean) > 1e-5 || math.Abs(v-1) > 1e-4 {
				t.Errorf("%s[%d] on the training rows: mean %g, variance %g, want 0 and 1", in, j, mean, v)
			}
		}
	}

	m := builders.NewFunctional("", []string{"extra", "numbers"}, []string{"class", "value"},
		builders.Node{Tensor: "join", Layer: builders.NewConcatenate("join"), Call: []string{"numbers", "extra"}},
		builders.Node{Tensor: "hidden", Layer: builders.NewDense("hidden", 16, "relu"), Call: []string{"join"}},
		builders.Node{Tensor: "class", Layer: builders.NewDense("class", 3, "softmax"), Call: []string{"hidden"}},
		builders.Node{Tensor: "value", Layer: builders.NewDense("value", 1, ""), Call: []string{"hidden"}},
	)
	scce, _ := configs.NewLoss(configs.LossSparseCategoricalCrossentropy)
	mse, _ := configs.NewLoss(configs.LossMeanSquaredError)
	c, err := NewMultiOutput(MultiSpec{
		Model: m, Inputs: map[string]builders.Shape{"numbers": {2}, "extra": {1}},
		Labels: map[string]builders.Shape{"class": {}, "value": {}},
		Outputs: []OutputSpec{
			{Name: "class", Loss: scce, Weight: 1, Metrics: []string{configs.MetricAccuracy}},
			{Name: "value", Loss: mse, Weight: 1},
		},
		NewOpt: func(sc *graphs.Scope) (graphs.Optimizer, error) {
			return graphs.NewAdam(sc, "adam", 0.03, graphs.AdamBeta1, graphs.AdamBeta2, graphs.AdamEpsilon), nil
		},
		Seed: 2, Threads: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tr, err := newMultiTraining(c, s.Train, s.Validation, 16)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &configs.Config{Name: "reviews", Task: configs.TaskClassifier, Seed: 1, Checkpoint: configs.Checkpoint{Every: 1000, Keep: 1}}
	r, err := runner.Begin(cfg, runner.Options{OutDir: t.TempDir()}, runner.Schedule{Epochs: 25, BatchSize: 16, Shuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Fit(context.Background(), tr, runner.FitSpec{Examples: s.Train.Len()}); err != nil {
		t.Fatal(err)
	}
	logs, err := c.Evaluate(s.Test, 32)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test: %v", logs)
	if logs["class_accuracy"] < 0.9 || logs["value_loss"] > 0.05 {
		t.Errorf("test class_accuracy %.3f (want ≥ 0.9), value_loss %.4f (want ≤ 0.05)", logs["class_accuracy"], logs["value_loss"])
	}
}

// What loadMultiCSV does not read yet is refused by key.
func TestMultiCSVNotYet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	writeReviews(t, path, 10, 0)
	base := configs.Data{Format: configs.FormatCSV, Path: path,
		Inputs:  configs.DataInputs{{Name: "numbers", Columns: []string{"price"}}},
		Outputs: configs.DataOutputs{{Name: "value", Columns: configs.Columns{"rating"}}},
	}
	text := base
	text.Inputs = configs.DataInputs{{Name: "review", Text: "sentiment", NumWords: 10, Maxlen: 4}}
	weighted := base
	weighted.SampleWeight = "stars"
	unknown := base
	unknown.Outputs = configs.DataOutputs{{Name: "value", Columns: configs.Columns{"ratings"}}}
	for name, tc := range map[string]struct {
		d    configs.Data
		want string
	}{
		"text input only": {text, "data.inputs: a CSV fed by name needs a numeric input for now"},
		"sample weights":  {weighted, "data.sample_weight with data.outputs is not yet supported"},
		"unknown column":  {unknown, "data.outputs.value: "},
	} {
		if _, err := loadMultiCSV(tc.d, func(string) bool { return true }, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

// LoadSplits, the loader of a model fed one input, refuses a config fed by name and names
// the loader that reads it (it indexed data.label, which such a config lacks, and panicked).
func TestLoadSplitsRefusesFedByName(t *testing.T) {
	dir := t.TempDir()
	train, test := filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")
	writeReviews(t, train, 20, 0)
	writeReviews(t, test, 8, 100)
	cfg := runtest.LoadConfig(t, fmt.Sprintf(reviewsConfig, train, test, 1))
	_, err := LoadSplits(context.Background(), cfg, "", "", 0, 1)
	if err == nil || !strings.Contains(err.Error(), "the model is fed by name (data.inputs, data.outputs): its data loads with LoadMultiSplits") {
		t.Fatalf("LoadSplits: %v, want the fed-by-name error", err)
	}
	s, err := LoadMultiSplits(cfg, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 15 || s.Validation.Len() != 5 || s.Test.Len() != 8 {
		t.Errorf("LoadMultiSplits: %d/%d/%d examples, want 15/5/8", s.Train.Len(), s.Validation.Len(), s.Test.Len())
	}
}

package classifier

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// Every valid pairing of label_mode, output and loss trains on a real folder of images,
// and accuracy is the one Keras's "accuracy" string picks for it: a two-class folder with
// Dense(2, softmax) and sparse_categorical_crossentropy (int labels, which tfrun once
// refused), one-hot labels with categorical_crossentropy (categorical_accuracy), binary
// labels with Dense(1, sigmoid), and one sigmoid per class on one-hot labels.
func TestLabelModesTrain(t *testing.T) {
	two := t.TempDir()
	runtest.OwnImages(t, two, map[string]color.RGBA{"blue": {0, 0, 200, 255}, "red": {200, 0, 0, 255}}, 16, 6, 1)
	three := t.TempDir()
	runtest.OwnImages(t, three, colours, 16, 6, 1)
	for _, tc := range []struct {
		name, dir, mode, out, loss, metrics string
		accuracy                            string // the log name's metric
	}{
		{"two-class softmax, int", two, "", "{type: Dense, units: 2, activation: softmax}", "sparse_categorical_crossentropy", "[accuracy]", configs.MetricSparseCategoricalAccuracy},
		{"two-class softmax, binary labels", two, "label_mode: binary,", "{type: Dense, units: 2, activation: softmax}", "sparse_categorical_crossentropy", "[accuracy]", configs.MetricSparseCategoricalAccuracy},
		{"binary", two, "label_mode: binary,", "{type: Dense, units: 1, activation: sigmoid}", "binary_crossentropy", "[accuracy, AUC]", configs.MetricBinaryAccuracy},
		{"int with one sigmoid", two, "label_mode: int,", "{type: Dense, units: 1, activation: sigmoid}", "binary_crossentropy", "[accuracy]", configs.MetricBinaryAccuracy},
		{"categorical", three, "label_mode: categorical,", "{type: Dense, units: 3, activation: softmax}", "categorical_crossentropy", "[accuracy, categorical_accuracy]", configs.MetricCategoricalAccuracy},
		{"categorical, from logits", three, "label_mode: categorical,", "{type: Dense, units: 3}", "{type: categorical_crossentropy, from_logits: true}", "[accuracy]", configs.MetricCategoricalAccuracy},
		{"sigmoid per class", three, "label_mode: categorical,", "{type: Dense, units: 3, activation: sigmoid}", "binary_crossentropy", "[accuracy, binary_accuracy]", configs.MetricCategoricalAccuracy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, out, err := runOwn(t, fmt.Sprintf(`name: modes
task: classifier
data: {format: image_directory, path: %s, image_size: [6, 6], %s validation_split: 0.25, seed: 2}
model: {layers: [{type: Flatten}, %s]}
train: {epochs: 25, batch_size: 8, loss: %s, metrics: %s, optimizer: {type: Adam, learning_rate: 0.05}}
`, tc.dir, tc.mode, tc.out, tc.loss, tc.metrics))
			if err != nil {
				t.Fatal(err)
			}
			if m.TestAccuracy < 0.9 {
				t.Errorf("accuracy %.3f, want >= 0.9 on plain colours", m.TestAccuracy)
			}
			c, err := FromConfig(runtest.LoadConfig(t, fmt.Sprintf(`name: modes
task: classifier
data: {format: image_directory, path: %s, image_size: [6, 6], %s validation_split: 0.25}
model: {layers: [{type: Flatten}, %s]}
train: {epochs: 1, loss: %s}
`, tc.dir, tc.mode, tc.out, tc.loss)), builders.Shape{6, 6, 3}, false, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.accuracy != tc.accuracy {
				t.Errorf("accuracy is %s, want %s (Keras's \"accuracy\" for these labels and output)", c.accuracy, tc.accuracy)
			}
			var h runner.History
			runtest.ReadJSON(t, filepath.Join(out, "history.json"), &h)
			for _, name := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
				if v := h.Metrics[name]; len(v) != 25 || math.IsNaN(v[len(v)-1]) {
					t.Errorf("history %s: %v", name, v)
				}
			}
		})
	}
}

// A label mode the folder's classes (known only from the files) cannot take, and a
// class_weight naming a class the folder does not have, are config errors found before
// anything is trained.
func TestLabelModeClassesFromFiles(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, colours, 2, 4, 1)
	for _, tc := range []struct{ name, mode, out, train, want string }{
		{"binary on 3 folders", "label_mode: binary,", "{type: Dense, units: 3, activation: softmax}", "loss: sparse_categorical_crossentropy",
			"data.label_mode: binary needs exactly 2 classes"},
		{"categorical on too many units", "label_mode: categorical,", "{type: Dense, units: 4, activation: softmax}", "loss: categorical_crossentropy",
			"model.layers[1].units: 4, but data.label_mode: categorical"},
		{"class_weight unknown name", "", "{type: Dense, units: 3, activation: softmax}", "loss: sparse_categorical_crossentropy, class_weight: {green: 2, purple: 3}",
			`train.class_weight: unknown class "purple" (classes: blue, green, red`},
		{"class_weight index out of range", "", "{type: Dense, units: 3, activation: softmax}", "loss: sparse_categorical_crossentropy, class_weight: {3: 2}",
			"train.class_weight: class index 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, err := runOwn(t, fmt.Sprintf(`name: bad
task: classifier
data: {format: image_directory, path: %s, image_size: [4, 4], %s}
model: {layers: [{type: Flatten}, %s]}
train: {epochs: 1, %s}
`, dir, strings.TrimSuffix(tc.mode, ","), tc.out, tc.train))
			if !errors.Is(err, assemble.ErrModelConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want an ErrModelConfig saying %q", err, tc.want)
			}
			if ents, _ := os.ReadDir(filepath.Join(out, "checkpoints")); slices.ContainsFunc(ents, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), "ckpt-") }) {
				t.Errorf("something was written to checkpoints/: %v", ents)
			}
		})
	}
}

// weightedClassifier is a Dense(1, sigmoid) on two features whose loss weighs examples,
// with accuracy both plain and weighted.
func weightedClassifier(t *testing.T) *Classifier {
	t.Helper()
	c, err := NewClassifier(ClassifierSpec{
		Layers: []builders.Layer{builders.NewDense("dense", 1, "sigmoid")},
		Input:  builders.Shape{2}, Seed: 1, Threads: 1, Weighted: true,
		Metrics: []string{configs.MetricAccuracy}, WeightedMetrics: []string{configs.MetricAccuracy, configs.MetricRecall},
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return graphs.NewSGD(s, "sgd", 0, 0, false), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Weights act as Keras's do: the loss is Σ wᵢ·lᵢ / batch size (weights all 3 triple it,
// weight only on example i gives lᵢ / n), plain metrics ignore them, weighted metrics are
// Σ w·v / Σ w (weight only on the correctly predicted examples: weighted accuracy 1).
func TestSampleWeightsInLossAndMetrics(t *testing.T) {
	c := weightedClassifier(t)
	defer c.Close()
	ds := twoMoons(8, 0.1, 4)
	n := ds.Len()
	eval := func(w []float32) runner.Logs {
		t.Helper()
		d := *ds
		d.Weights = w
		logs, err := c.EvaluateLogs(&d, n)
		if err != nil {
			t.Fatal(err)
		}
		return logs
	}
	fill := func(v float32) []float32 {
		w := make([]float32, n)
		for i := range w {
			w[i] = v
		}
		return w
	}
	plain := eval(nil)
	if got := eval(fill(3)); math.Abs(got["loss"]-3*plain["loss"]) > 1e-6*plain["loss"] {
		t.Errorf("weights 3: loss %.9g, want 3 × %.9g", got["loss"], plain["loss"])
	}
	if got := eval(fill(1)); got["loss"] != plain["loss"] || got["weighted_accuracy"] != plain["accuracy"] {
		t.Errorf("weights 1: loss %v, weighted_accuracy %v; want the unweighted %v, %v", got["loss"], got["weighted_accuracy"], plain["loss"], plain["accuracy"])
	}
	probs, err := c.Predict(ds, n)
	if err != nil {
		t.Fatal(err)
	}
	sum, right, positives := 0.0, fill(0), 0
	for i := range n {
		w := fill(0)
		w[i] = 1
		l := eval(w)["loss"] * float64(n) // this example's loss
		y, p := float64(ds.Labels[i]), probs[i]
		want := -(y*math.Log(p) + (1-y)*math.Log(1-p))
		if math.Abs(l-want) > 1e-5*math.Max(1, want) {
			t.Errorf("example %d: loss %.7g, want binary crossentropy %.7g", i, l, want)
		}
		sum += l
		if (p > 0.5) == (y == 1) {
			right[i] = 1
			if y == 1 {
				positives++
			}
		}
	}
	if math.Abs(sum/float64(n)-plain["loss"]) > 1e-6 {
		t.Errorf("per-example losses average %.7g, the unweighted loss is %.7g", sum/float64(n), plain["loss"])
	}
	got := eval(right)
	if got["weighted_accuracy"] != 1 || got["accuracy"] != plain["accuracy"] {
		t.Errorf("weight on the right answers: weighted_accuracy %v (want 1), accuracy %v (want the unweighted %v)", got["weighted_accuracy"], got["accuracy"], plain["accuracy"])
	}
	if positives > 0 && got["recall"] != 1 {
		t.Errorf("weight on the right answers: weighted recall %v, want 1", got["recall"])
	}
	if zero := eval(fill(0)); zero["loss"] != 0 || zero["weighted_accuracy"] != 0 {
		t.Errorf("weights 0: loss %v, weighted_accuracy %v; want 0 and 0 (divide_no_nan)", zero["loss"], zero["weighted_accuracy"])
	}
}

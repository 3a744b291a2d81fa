package classifier

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/internal/runtest"
)

// The other Keras losses train a classifier end to end on separable data: each reaches
// the accuracy Keras's "accuracy" string means for it (categorical for one-hot labels,
// binary for one output), and logs the metrics asked for.
func TestLossesTrain(t *testing.T) {
	dir := t.TempDir()
	iris := filepath.Join(dir, "iris.csv")
	runtest.IrisLike(t, iris, 150, 1)
	binary := filepath.Join(dir, "binary.csv")
	var b strings.Builder
	b.WriteString("x1,x2,y\n")
	for i := range 120 {
		k := i % 2
		fmt.Fprintf(&b, "%.2f,%.2f,%d\n", 3*float64(k)+0.4*float64(i%7)/7, -2*float64(k)+0.3*float64(i%5)/5, k)
	}
	if err := os.WriteFile(binary, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, label, out, loss, metrics string
		logs                                  []string
	}{
		{"categorical_crossentropy", iris, "species", "{type: Dense, units: 3, activation: softmax}", "{type: categorical_crossentropy, label_smoothing: 0.1}",
			"[accuracy, categorical_accuracy, mse]", []string{"categorical_accuracy", "mse"}},
		{"categorical from logits", iris, "species", "{type: Dense, units: 3}", "{type: CategoricalCrossentropy, from_logits: true}", "[accuracy]", nil},
		{"kl_divergence", iris, "species", "{type: Dense, units: 3, activation: softmax}", "kld", "[accuracy]", nil},
		{"sparse from logits", iris, "species", "{type: Dense, units: 3}", "{type: sparse_categorical_crossentropy, from_logits: true}", "[accuracy]", nil},
		{"binary_focal_crossentropy", binary, "y", "{type: Dense, units: 1, activation: sigmoid}", "{type: BinaryFocalCrossentropy, apply_class_balancing: true}",
			"[accuracy, AUC]", []string{"auc"}},
		{"bce from logits", binary, "y", "{type: Dense, units: 1}", "{type: bce, from_logits: true, label_smoothing: 0.1}", "[accuracy]", nil},
		{"hinge", binary, "y", "{type: Dense, units: 1, activation: tanh}", "hinge", "[accuracy]", nil},
		{"squared_hinge", binary, "y", "{type: Dense, units: 1, activation: tanh}", "squared_hinge", "[binary_accuracy]", []string{"binary_accuracy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, out, err := runOwn(t, fmt.Sprintf(`name: losses
task: classifier
data: {format: csv, path: %s, label: %s, validation_split: 0.2}
model: {layers: [{type: Dense, units: 8, activation: relu}, %s]}
train: {epochs: 25, batch_size: 16, loss: %s, metrics: %s, optimizer: {type: Adam, learning_rate: 0.05}}
`, tc.file, tc.label, tc.out, tc.loss, tc.metrics))
			if err != nil {
				t.Fatal(err)
			}
			acc := m.TestAccuracy
			if tc.name == "squared_hinge" {
				acc = m.TestMetrics["binary_accuracy"]
			}
			if acc < 0.9 {
				t.Errorf("test accuracy %.3f, want >= 0.9 on separable data", acc)
			}
			var h struct {
				Metrics map[string][]float64 `json:"metrics"`
			}
			runtest.ReadJSON(t, filepath.Join(out, "history.json"), &h)
			for _, key := range append([]string{"loss", "val_loss"}, tc.logs...) {
				if len(h.Metrics[key]) != 25 {
					t.Errorf("history %s: %d values, want 25", key, len(h.Metrics[key]))
				}
			}
		})
	}
}

package classifier

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/internal/runtest"
)

// writeLinearCSV writes n rows of y = 3·a − 2·b + 50 + noise(σ 0.5), a and b uniform in
// [0, 10): a regression a linear model fits to an MAE near 0.4.
func writeLinearCSV(t *testing.T, path string, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 5))
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for range n {
		x1, x2 := 10*rng.Float64(), 10*rng.Float64()
		fmt.Fprintf(&b, "%.4f,%.4f,%.4f\n", x1, x2, 3*x1-2*x2+50+0.5*rng.NormFloat64())
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A CSV with a real-valued label trains end to end as a regression: mse on a linear
// Dense(1), mae and r2_score in the history and metrics.json, no accuracy anywhere, no
// class_names.json.
func TestCSVRegressionRun(t *testing.T) {
	dir := t.TempDir()
	writeLinearCSV(t, filepath.Join(dir, "train.csv"), 200, 1)
	writeLinearCSV(t, filepath.Join(dir, "test.csv"), 50, 2)
	m, out, err := runOwn(t, fmt.Sprintf(`name: own_regression
task: classifier
data: {format: csv, path: %s, test_path: %s, label: y, validation_split: 0.2}
model:
  layers:
    - {type: Dense, units: 1}
train: {epochs: 40, batch_size: 16, loss: mse, metrics: [mae, root_mean_squared_error, r2_score], optimizer: {type: Adam, learning_rate: 0.5}}
`, filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")))
	if err != nil {
		t.Fatal(err)
	}
	mae, rmse, r2 := m.TestMetrics["mae"], m.TestMetrics["root_mean_squared_error"], m.TestMetrics["r2_score"]
	if !(mae < 1.5) || !(r2 > 0.98) || math.Abs(rmse*rmse-m.TestLoss) > 1e-3*m.TestLoss {
		t.Errorf("test mae %.3f (want < 1.5), r2 %.4f (want > 0.98), rmse² %.4f vs mse loss %.4f (want equal)", mae, r2, rmse*rmse, m.TestLoss)
	}
	raw, err := os.ReadFile(filepath.Join(out, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "accuracy") || !strings.Contains(string(raw), `"mae"`) {
		t.Errorf("metrics.json has an accuracy or lacks mae:\n%s", raw)
	}
	var h struct {
		Metrics map[string][]float64 `json:"metrics"`
	}
	runtest.ReadJSON(t, filepath.Join(out, "history.json"), &h)
	for _, key := range []string{"loss", "val_loss", "mae", "val_mae", "r2_score", "val_r2_score", "root_mean_squared_error"} {
		if len(h.Metrics[key]) != 40 {
			t.Errorf("history %s: %d values, want 40", key, len(h.Metrics[key]))
		}
	}
	if _, ok := h.Metrics["accuracy"]; ok {
		t.Error("history has accuracy")
	}
	if _, err := os.Stat(filepath.Join(out, ClassNamesFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("class_names.json: %v, want none for a regression", err)
	}
}

// A real-valued label column with a classification loss is a config error naming
// train.loss, found before anything is trained; so is a label that is not a number with a
// regression loss.
func TestCSVRegressionLabelErrors(t *testing.T) {
	dir := t.TempDir()
	writeLinearCSV(t, filepath.Join(dir, "real.csv"), 30, 3)
	if err := os.WriteFile(filepath.Join(dir, "words.csv"), []byte("a,y\n1,low\n2,high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, file, loss, out, want string }{
		{"sparse on real labels", "real.csv", "sparse_categorical_crossentropy", "{type: Dense, units: 3, activation: softmax}",
			"train.loss: sparse_categorical_crossentropy is a classification loss, but label column \"y\""},
		{"mse on words", "words.csv", "mse", "{type: Dense, units: 1}", `"low" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runOwn(t, fmt.Sprintf(`name: bad
task: classifier
data: {format: csv, path: %s, label: y}
model: {layers: [%s]}
train: {epochs: 1, loss: %s, metrics: []}
`, filepath.Join(dir, tc.file), tc.out, tc.loss))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if tc.loss != "mse" && !errors.Is(err, assemble.ErrModelConfig) {
				t.Errorf("error %v is not an ErrModelConfig", err)
			}
		})
	}
}

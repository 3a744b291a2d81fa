package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPredictRegression: a CSV regression predicts real numbers, from the run and
// exported as a SavedModel ({"prediction": ...} per row, no probability or label).
func TestPredictRegression(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(4, 4))
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for range 200 {
		x1, x2 := 10*rng.Float64(), 10*rng.Float64()
		fmt.Fprintf(&b, "%.4f,%.4f,%.4f\n", x1, x2, 3*x1-2*x2+50+0.3*rng.NormFloat64())
	}
	csvPath := filepath.Join(dir, "linear.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	config := saveConfig(t, dir, "linear.yaml", fmt.Sprintf(`name: linear
task: classifier
data: {format: csv, path: %s, label: y}
model: {layers: [{type: Dense, units: 1}]}
train: {epochs: 40, batch_size: 16, loss: mse, metrics: [mae], optimizer: {type: Adam, learning_rate: 0.5}}
`, csvPath))
	runDir, models := filepath.Join(dir, "run"), filepath.Join(dir, "models")
	if code, _, stderr := runCLI(t, "-config", config, "-out", runDir, "-threads", "1"); code != 0 {
		t.Fatalf("training: exit %d: %s", code, stderr)
	}
	rows := []string{"1,1", "5,2", "9.5,0.5"}
	want := []float64{51, 61, 77.5}
	check := func(what, out string) {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != len(rows) {
			t.Fatalf("%s: %d lines, want %d:\n%s", what, len(lines), len(rows), out)
		}
		for i, line := range lines {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%s: %q: %v", what, line, err)
			}
			p, ok := r["prediction"].(float64)
			if !ok || math.Abs(p-want[i]) > 1.5 {
				t.Errorf("%s: row %s: %s; want a prediction near %g", what, rows[i], line, want[i])
			}
			for _, key := range []string{"probability", "label", "class_id"} {
				if _, has := r[key]; has {
					t.Errorf("%s: %s has %s", what, line, key)
				}
			}
		}
	}
	code, out, stderr := runCLI(t, append([]string{"predict", "-config", config, "-run", runDir}, rows...)...)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	check("predict -config", out)
	if code, _, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	code, saved, stderr := runCLI(t, append([]string{"predict", "-model", models}, rows...)...)
	if code != 0 {
		t.Fatalf("predict -model: exit %d: %s", code, stderr)
	}
	check("predict -model", saved)
}

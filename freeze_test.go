package tfrun_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/runner"
)

// layers.Trainable(false) freezes a layer of a model built in Go (the summary counts its
// weights as non-trainable, as Keras's does), and a config's train.initial_weights starts
// the first Fit of a loaded model from a run's weights, by layer name.
func TestTrainableAndInitialWeights(t *testing.T) {
	ctx := context.Background()
	x := make([]float32, 40*4)
	y := make([]float32, 40)
	for i := range y {
		for j := range 4 {
			x[i*4+j] = float32((i*7+j*3)%11) / 11
		}
		if x[i*4] > 0.5 {
			y[i] = 1
		}
	}
	data := tfrun.Data{X: tfrun.Floats(x, 4), Y: tfrun.Floats(y)}
	m, err := tfrun.Sequential(
		layers.Dense(8, layers.Name("base"), layers.Activation("relu"), layers.Trainable(false)),
		layers.Dense(1, layers.Name("head"), layers.Activation("sigmoid")),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("binary_crossentropy"), tfrun.Optimizer("adam"), tfrun.Threads(1)); err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	if _, err := m.Fit(ctx, data, tfrun.Epochs(1), tfrun.BatchSize(8), tfrun.RunDir(run)); err != nil {
		t.Fatal(err)
	}
	sum, err := m.Summary()
	if err != nil {
		t.Fatal(err)
	}
	// base: 4·8+8 = 40 frozen; head: 8+1 = 9 trained.
	for _, s := range []string{"Total params: 49\n", "Trainable params: 9\n", "Non-trainable params: 40\n"} {
		if !strings.Contains(sum, s) {
			t.Errorf("summary lacks %q:\n%s", s, sum)
		}
	}

	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("a,b,c,d,target\n")
	for i := range y {
		fmt.Fprintf(&csv, "%g,%g,%g,%g,%d\n", x[i*4], x[i*4+1], x[i*4+2], x[i*4+3], int(y[i]))
	}
	if err := os.WriteFile(filepath.Join(dir, "rows.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := `name: from_go
task: classifier
seed: 1
data: {format: csv, path: ` + filepath.Join(dir, "rows.csv") + `, label: target, feature_columns: [a, b, c, d], normalize: false}
model:
  layers:
    - {name: base, type: Dense, units: 8, activation: relu}
    - {name: new_head, type: Dense, units: 1, activation: sigmoid}
train: {epochs: 1, batch_size: 8, loss: binary_crossentropy, initial_weights: ` + run + `}
`
	path := filepath.Join(dir, "from_go.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	m2, err := tfrun.LoadConfig(path, tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	var log bytes.Buffer
	if _, err := m2.Fit(ctx, data, tfrun.Progress(&log, runner.VerboseLines)); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"1 layers (base)", "keeping their initializers: new_head", "not in this model (not used): head"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("Fit's log lacks %q:\n%s", s, log.String())
		}
	}
}

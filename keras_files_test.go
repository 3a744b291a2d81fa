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
	"github.com/tfrun/tfrun/runner"
)

// The Go API takes a Keras file as train.initial_weights, as bin/tfrun does: a loaded
// config's first Fit starts from kerasfile/testdata/table.keras's layers of the same names.
func TestInitialWeightsFromKerasFileInGo(t *testing.T) {
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("a,b,c,d,target\n")
	x := make([]float32, 40*4)
	y := make([]float32, 40)
	for i := range y {
		for j := range 4 {
			x[i*4+j] = float32((i*5+j*3)%11) / 11
		}
		if x[i*4] > 0.5 {
			y[i] = 1
		}
		fmt.Fprintf(&csv, "%g,%g,%g,%g,%d\n", x[i*4], x[i*4+1], x[i*4+2], x[i*4+3], int(y[i]))
	}
	if err := os.WriteFile(filepath.Join(dir, "rows.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := `name: from_keras
task: classifier
seed: 1
data: {format: csv, path: ` + filepath.Join(dir, "rows.csv") + `, label: target, feature_columns: [a, b, c, d], normalize: false}
model:
  layers:
    - {name: hidden, type: Dense, units: 8, activation: relu, trainable: false}
    - {name: new_head, type: Dense, units: 1, activation: sigmoid}
train: {epochs: 1, batch_size: 8, loss: binary_crossentropy, initial_weights: kerasfile/testdata/table.keras}
`
	path := filepath.Join(dir, "from_keras.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := tfrun.LoadConfig(path, tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var log bytes.Buffer
	data := tfrun.Data{X: tfrun.Floats(x, 4), Y: tfrun.Floats(y)}
	if _, err := m.Fit(context.Background(), data, tfrun.RunDir(t.TempDir()), tfrun.Progress(&log, runner.VerboseLines)); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"1 layers (hidden)", "keeping their initializers: new_head", "not in this model (not used): probs"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("Fit's log lacks %q:\n%s", s, log.String())
		}
	}
}

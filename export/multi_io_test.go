package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run of a model fed by name (data.inputs, data.outputs) is refused by export, naming
// the keys, rather than exported with one of its inputs.
func TestExportRefusesMultiIO(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "t.csv")
	var b strings.Builder
	b.WriteString("a,b,c,y\n")
	for i := range 24 {
		fmt.Fprintf(&b, "%d,%d,%d,%d\n", i%5, i%3, i%7, i%2)
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, run := trainedRun(t, fmt.Sprintf(`name: export_multi_io
task: classifier
data: {format: csv, path: %s, inputs: {left: [a, b], right: c}, outputs: {head: y}}
model:
  inputs: {left: {shape: [2]}, right: {shape: [1]}}
  layers:
    - {name: join, type: Concatenate, call: [left, right]}
    - {name: head, type: Dense, units: 1, activation: sigmoid}
train: {epochs: 1, batch_size: 8, loss: binary_crossentropy}
`, csv), 0)
	_, err := Build(cfg, Options{RunDir: run, Threads: 1})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "data.inputs/data.outputs") {
		t.Errorf("export of a model fed by name: %v, want ErrUnsupported naming data.inputs/data.outputs", err)
	}
}

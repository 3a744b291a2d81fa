package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/datasets"
)

// funcYAML is a functional residual CNN on MNIST: 4 steps an epoch on -limit 256.
const funcYAML = `name: residual
task: classifier
seed: 5
data: {dataset: mnist}
model:
  inputs: {image: {shape: [28, 28, 1]}}
  layers:
    - {name: stem, type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same, activation: relu, call: image}
    - {name: conv1, type: Conv2D, filters: 4, kernel_size: 3, padding: same}
    - {name: bn1, type: BatchNormalization}
    - {name: relu1, type: Activation, activation: relu}
    - {name: conv2, type: Conv2D, filters: 4, kernel_size: 3, padding: same}
    - {name: res, type: Add, call: [conv2, stem]}
    - {name: pool, type: GlobalAveragePooling2D}
    - {name: head, type: Dense, units: 10, activation: softmax}
  outputs: [head]
train: {epochs: 2, batch_size: 64, loss: sparse_categorical_crossentropy, optimizer: Adam, validation_data: test}
checkpoint: {every: 1, keep: 3}
`

// A functional model trains through the classifier path as a Sequential does: its
// summary is Keras's functional one, a run stopped after an epoch and resumed ends bit
// for bit as an uninterrupted run, and the run exports to a SavedModel.
func TestFunctionalTrainsResumesExports(t *testing.T) {
	cfg := writeConfig(t, funcYAML)
	train := func(dir string, args ...string) {
		t.Helper()
		code, _, stderr := runCLI(t, append([]string{"-config", cfg, "-limit", "256", "-threads", "1", "-out", dir}, args...)...)
		if strings.Contains(stderr, datasets.ErrDataSetNotFound.Error()) {
			t.Skip("MNIST not available: " + stderr)
		}
		if code != 0 {
			t.Fatalf("tfrun %v: exit %d: %s", args, code, stderr)
		}
	}
	straight, resumed := t.TempDir(), t.TempDir()
	train(straight)
	train(resumed, "-epochs", "1")
	train(resumed, "-resume")
	const final = "ckpt-8"
	read := func(dir string) []byte {
		b, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), final), 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(read(straight), read(resumed)) {
		t.Errorf("the resumed run's %s differs from the uninterrupted run's", final)
	}
	if a, b := historyWithoutSeconds(t, straight), historyWithoutSeconds(t, resumed); a != b {
		t.Errorf("history.json differs:\n%s\nwant\n%s", b, a)
	}
	summary, err := os.ReadFile(filepath.Join(straight, "summary.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`Model: "functional"`, "Connected to", "image (InputLayer)", "res (Add)", "conv2[0][0]", "stem[0][0]", "Total params: 402"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.txt lacks %q:\n%s", want, summary)
		}
	}
	out := filepath.Join(t.TempDir(), "export")
	if code, _, stderr := runCLI(t, "export", "-config", cfg, "-run", straight, "-out", out); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "1", "saved_model.pb")); err != nil {
		t.Errorf("export wrote no SavedModel: %v", err)
	}
}

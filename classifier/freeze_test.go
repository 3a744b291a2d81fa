package classifier

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// freezeLimit MNIST examples in batches of 64: 4 steps an epoch.
const freezeLimit, freezeSteps = 256, 4

// runFrozen runs cfg on the MNIST or Fashion-MNIST slice in dir, single-threaded, its log in
// log (if not nil); it skips the test when the data set is not available.
func runFrozen(t *testing.T, ctx context.Context, cfg *configs.Config, dir string, log *bytes.Buffer, edit func(*runner.Options)) (*Metrics, error) {
	t.Helper()
	o := runner.Options{Limit: freezeLimit, OutDir: dir, Threads: 1}
	if log != nil {
		o.Out = log
	}
	if edit != nil {
		edit(&o)
	}
	m, err := Run(ctx, cfg, o)
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("%s not available: %v", cfg.Data.Dataset, err)
	}
	return m, err
}

// exampleConfig loads a shipped config of configs/examples, with edit applied to its YAML.
func exampleConfig(t *testing.T, name string, edit func(string) string) *configs.Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "configs", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	if edit != nil {
		body = edit(body)
	}
	return runtest.LoadConfig(t, body)
}

// tensorBytes reads the checkpoint's tensors' bytes by name.
func tensorBytes(t *testing.T, prefix string) map[string][]byte {
	t.Helper()
	entries, err := checkpoints.List(prefix)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(checkpoints.DataFile(prefix, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		out[e.Name] = data[e.Offset : e.Offset+e.Size]
	}
	return out
}

func latest(t *testing.T, runDir string) string {
	t.Helper()
	p, err := checkpoints.Latest(checkpoints.Dir(runDir))
	if err != nil || p == "" {
		t.Fatalf("no checkpoint in %s: %v", runDir, err)
	}
	return p
}

// Keras's transfer-learning recipe with the shipped pair, on a slice: mnist_residual
// pretrains, fine_tune_phase1 trains a new head on a frozen base from its weights, and
// fine_tune_phase2 trains everything at a low rate from phase 1's. Phase 1's frozen
// weights, the BatchNormalization's moving statistics included, are bit-identical to the
// pretrained ones after training; the optimizer keeps no slots for them; the summary counts
// them as non-trainable, as Keras 3 does (testdata/fine_tune_counts.py); the log names the layers loaded and those left to their
// initializers.
func TestFineTuneExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST and Fashion-MNIST")
	}
	dir := t.TempDir()
	pre, p1, p2 := filepath.Join(dir, "pre"), filepath.Join(dir, "p1"), filepath.Join(dir, "p2")
	cfg := exampleConfig(t, "mnist_residual.yaml", nil)
	one := func(o *runner.Options) { o.Epochs = 1 }
	if _, err := runFrozen(t, context.Background(), cfg, pre, nil, one); err != nil {
		t.Fatal(err)
	}
	cfg1 := exampleConfig(t, "fine_tune_phase1.yaml", func(s string) string {
		return strings.Replace(s, "initial_weights: runs/mnist_residual", "initial_weights: "+pre, 1)
	})
	var log bytes.Buffer
	if _, err := runFrozen(t, context.Background(), cfg1, p1, &log, one); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"Initial weights from " + latest(t, pre) + ": 4 layers (stem, conv1, bn1, conv2)\n",
		"Not in the initial weights, keeping their initializers: fashion_head\n",
		"In the initial weights but not in this model (not used): head\n",
		"Trainable params: 170\n", "Non-trainable params: 4,864\n",
	} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("phase 1's log lacks %q:\n%s", s, log.String())
		}
	}
	before, after := tensorBytes(t, latest(t, pre)), tensorBytes(t, latest(t, p1))
	if want := checkpoints.Name(freezeLimit / 128); filepath.Base(latest(t, p1)) != want { // batch_size 128
		t.Fatalf("phase 1 ended at %s, want %s", latest(t, p1), want)
	}
	frozen := 0
	for name, b := range after {
		switch {
		case strings.HasPrefix(name, "adam/") && !strings.HasPrefix(name, "adam/functional/fashion_head/") && strings.Count(name, "/") > 1:
			t.Errorf("phase 1 keeps an optimizer slot for a frozen weight: %s", name)
		case strings.HasPrefix(name, "functional/fashion_head/"):
			if _, ok := after["adam/"+name+"/m"]; !ok {
				t.Errorf("phase 1 keeps no slot m for the head's %s", name)
			}
		case strings.HasPrefix(name, "functional/"):
			frozen++
			if !bytes.Equal(b, before[name]) {
				t.Errorf("frozen %s changed in training", name)
			}
		}
	}
	if frozen != 10 { // stem, conv1, conv2: kernel and bias; bn1: gamma, beta, moving mean and variance
		t.Errorf("%d frozen weights compared, want 10", frozen)
	}

	cfg2 := exampleConfig(t, "fine_tune_phase2.yaml", func(s string) string {
		return strings.Replace(s, "initial_weights: runs/fine_tune_phase1", "initial_weights: "+p1, 1)
	})
	log.Reset()
	if _, err := runFrozen(t, context.Background(), cfg2, p2, &log, one); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"5 layers (stem, conv1, bn1, conv2, fashion_head)\n", "Trainable params: 5,002\n", "Non-trainable params: 32\n"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("phase 2's log lacks %q:\n%s", s, log.String())
		}
	}
	if strings.Contains(log.String(), "keeping their initializers") {
		t.Errorf("phase 2 left layers to their initializers:\n%s", log.String())
	}
	// The base unfrozen but called with training=False: its weights train, its
	// BatchNormalization's statistics stay.
	b := tensorBytes(t, latest(t, p2))
	for _, name := range []string{"functional/conv1/kernel", "functional/bn1/gamma"} {
		if bytes.Equal(b[name], after[name]) {
			t.Errorf("phase 2 did not train the unfrozen base's %s", name)
		}
	}
	for _, name := range []string{"functional/bn1/moving_mean", "functional/bn1/moving_variance"} {
		if !bytes.Equal(b[name], after[name]) {
			t.Errorf("phase 2 updated %s of a base called with training: false", name)
		}
	}
}

// frozenYAML freezes a base with a BatchNormalization (model.base) and one more layer
// (trainable: false) and trains a Dropout and a head: everything a resume must restore.
const frozenYAML = `name: frozen
task: classifier
seed: 3
data: {dataset: mnist}
model:
  inputs: {image: {shape: [28, 28, 1]}}
  layers:
    - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, strides: 2, activation: relu}
    - {name: bn, type: BatchNormalization}
    - {name: pool, type: GlobalAveragePooling2D}
    - {name: hidden, type: Dense, units: 8, activation: relu, trainable: false}
    - {name: drop, type: Dropout, rate: 0.3}
    - {name: head, type: Dense, units: 10, activation: softmax}
  base: {outputs: [pool], trainable: false}
train:
  epochs: 3
  batch_size: 64
  loss: sparse_categorical_crossentropy
  optimizer: {type: Adam, learning_rate: 0.01}
checkpoint: {every: 1, keep: 5}
`

// A run with frozen layers, stopped mid-epoch and resumed, ends bit-identical to the run
// trained straight; its frozen weights never leave their initial values.
func TestFrozenResumeEqualsUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	cfg := runtest.LoadConfig(t, frozenYAML)
	straight, resumed := t.TempDir(), t.TempDir()
	want, err := runFrozen(t, context.Background(), cfg, straight, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = runFrozen(t, runtest.InterruptAt(6), cfg, resumed, nil, nil)
	var ie *runner.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an interruption", err)
	}
	got, err := runFrozen(t, context.Background(), cfg, resumed, nil, func(o *runner.Options) { o.Resume = true })
	if err != nil {
		t.Fatal(err)
	}
	final := checkpoints.Name(3 * freezeSteps)
	a, b := tensorBytes(t, filepath.Join(checkpoints.Dir(straight), final)), tensorBytes(t, filepath.Join(checkpoints.Dir(resumed), final))
	if len(a) != len(b) {
		t.Fatalf("%d tensors straight, %d resumed", len(a), len(b))
	}
	for name, v := range a {
		if !bytes.Equal(v, b[name]) {
			t.Errorf("%s differs between the straight and the resumed run", name)
		}
	}
	if got.TestLoss != want.TestLoss || got.TestAccuracy != want.TestAccuracy {
		t.Errorf("metrics %+v, want %+v", got, want)
	}
	first := tensorBytes(t, filepath.Join(checkpoints.Dir(straight), checkpoints.Name(freezeSteps)))
	for _, name := range []string{"functional/conv/kernel", "functional/bn/moving_mean", "functional/bn/moving_variance", "functional/hidden/kernel"} {
		if !bytes.Equal(first[name], a[name]) {
			t.Errorf("frozen %s changed between epochs 1 and 3", name)
		}
		if _, ok := a["adam/"+name+"/m"]; ok {
			t.Errorf("an optimizer slot for frozen %s", name)
		}
	}
	if bytes.Equal(first["functional/head/kernel"], a["functional/head/kernel"]) {
		t.Errorf("the head did not train")
	}
}

// train.initial_weights refuses what it cannot use, naming the path, the layer and both
// shapes; a model with every weight frozen is refused before training.
func TestInitialWeightsErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	src := t.TempDir()
	if _, err := runFrozen(t, context.Background(), runtest.LoadConfig(t, frozenYAML), src, nil, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	noBias := t.TempDir() // hidden without its bias
	noBiasYAML := strings.Replace(frozenYAML, "units: 8, activation: relu,", "units: 8, activation: relu, use_bias: false,", 1)
	if _, err := runFrozen(t, context.Background(), runtest.LoadConfig(t, noBiasYAML), noBias, nil, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	keras := filepath.Join(t.TempDir(), "model.keras")
	if err := os.WriteFile(keras, []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	with := func(weights string, edits ...string) string {
		y := strings.Replace(frozenYAML, "  epochs: 3\n", "  epochs: 1\n  initial_weights: "+weights+"\n", 1)
		for i := 0; i+1 < len(edits); i += 2 {
			y = strings.Replace(y, edits[i], edits[i+1], 1)
		}
		return y
	}
	tests := []struct {
		name, yaml string
		want       []string
		sentinel   error
	}{
		{"no such path", with(filepath.Join(empty, "nope")), []string{"train.initial_weights", "nope", "no such run directory or checkpoint"}, checkpoints.ErrInitialWeights},
		{"directory without checkpoints", with(empty), []string{"a directory without checkpoints"}, checkpoints.ErrInitialWeights},
		{"a file that is no checkpoint", with(filepath.Join(src, "summary.txt")), []string{"not a checkpoint"}, checkpoints.ErrInitialWeights},
		{"a Keras file", with(keras), []string{"a Keras weights file", "does not link tfrun's Keras importer", "tfrun import"}, checkpoints.ErrInitialWeights},
		{"another shape", with(src, "filters: 4", "filters: 6"), []string{`layer "conv"`, "kernel is float32 [3 3 1 4] in the bundle", "float32 [3 3 1 6] in the model"}, checkpoints.ErrInitialWeights},
		{"a layer with fewer weights", with(src, "units: 8, activation: relu,", "units: 8, activation: relu, use_bias: false,"), []string{`layer "hidden"`, "the bundle has bias too"}, checkpoints.ErrInitialWeights},
		{"a layer the bundle has in part", with(noBias), []string{`layer "hidden"`, "the bundle has kernel but not bias"}, checkpoints.ErrInitialWeights},
		{"everything frozen", with(src, "activation: softmax}", "activation: softmax, trainable: false}"), []string{"no trainable weights"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			_, err := runFrozen(t, context.Background(), runtest.LoadConfig(t, tc.yaml), t.TempDir(), &log, nil)
			if err == nil {
				t.Fatalf("no error; log:\n%s", log.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tc.sentinel)
			}
		})
	}
}

// Which layers are frozen decides which optimizer slots a checkpoint holds, so -resume
// with a config that freezes other layers is refused, naming the layer that changed.
func TestResumeRefusesOtherFrozenLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	if _, err := runFrozen(t, context.Background(), runtest.LoadConfig(t, frozenYAML), dir, nil, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	unfrozen := strings.Replace(frozenYAML, "activation: relu, trainable: false}", "activation: relu}", 1)
	_, err := runFrozen(t, context.Background(), runtest.LoadConfig(t, unfrozen), dir, nil, func(o *runner.Options) { o.Resume = true })
	if !errors.Is(err, checkpoints.ErrMismatch) || !strings.Contains(err.Error(), "model.layers[3].trainable: false in the checkpoint, absent now") {
		t.Errorf("err = %v, want a mismatch naming model.layers[3].trainable", err)
	}
}

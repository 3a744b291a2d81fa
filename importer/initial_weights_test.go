package importer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/kerasfile"
	"github.com/tfrun/tfrun/runner"
)

// testdata/base.keras (make_base.py): conv, bn, pool, probs; image 28x28x1.
const baseKeras = "testdata/base.keras"

// fineTuneYAML is Keras's transfer-learning phase 1 on base.keras: its layers by their
// names, frozen (model.base), and a new head for Fashion-MNIST's ten classes.
const fineTuneYAML = `name: keras_fine_tune
task: classifier
seed: 5
data: {dataset: fashion_mnist}
model:
  inputs: {image: {shape: [28, 28, 1]}}
  layers:
    - {name: conv, type: Conv2D, filters: 4, kernel_size: 3, strides: 2, activation: relu, call: image}
    - {name: bn, type: BatchNormalization}
    - {name: pool, type: GlobalAveragePooling2D}
    - {name: head, type: Dense, units: 10, activation: softmax}
  outputs: [head]
  base: {outputs: [pool], trainable: false}
train:
  initial_weights: WEIGHTS
  epochs: 1
  batch_size: 64
  loss: sparse_categorical_crossentropy
  optimizer: {type: Adam, learning_rate: 0.01}
`

// fineTune runs config body on a 256-example slice of Fashion-MNIST into dir; it skips the
// test when the data set is not available.
func fineTune(t *testing.T, body, dir string, log *bytes.Buffer) error {
	t.Helper()
	_, err := classifier.Run(context.Background(), runtest.LoadConfig(t, body), runner.Options{Limit: 256, OutDir: dir, Threads: 1, Out: log})
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("fashion_mnist not available: %v", err)
	}
	return err
}

// checkpointBytes reads a checkpoint's tensors' bytes by name.
func checkpointBytes(t *testing.T, prefix string) map[string][]byte {
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

func latestOf(t *testing.T, run string) string {
	t.Helper()
	p, err := checkpoints.Latest(checkpoints.Dir(run))
	if err != nil || p == "" {
		t.Fatalf("no checkpoint in %s: %v", run, err)
	}
	return p
}

// kerasBytes are the Keras file's weights of the base (conv, bn) as a checkpoint holds
// them (little-endian float32), by tfrun's weight name under model.
func kerasBytes(t *testing.T, model string) map[string][]byte {
	t.Helper()
	m, err := kerasfile.Load(baseKeras)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{"conv": {"kernel", "bias"}, "bn": {"gamma", "beta", "moving_mean", "moving_variance"}}
	out := map[string][]byte{}
	for layer, ws := range names {
		if len(m.Weights[layer]) != len(ws) {
			t.Fatalf("%s: layer %s has %d weights, want %d", baseKeras, layer, len(m.Weights[layer]), len(ws))
		}
		for i, w := range m.Weights[layer] {
			b := make([]byte, 4*len(w.Values))
			for j, v := range w.Values {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(v))
			}
			out[model+"/"+layer+"/"+ws[i]] = b
		}
	}
	return out
}

// Keras's transfer-learning recipe from a Keras file, on a Fashion-MNIST slice: base.keras
// imported by tfrun import, then a config that freezes its base and adds a new head starts
// from the run directory, and separately from the .keras file itself and from Keras 2's
// .h5 of the same model. Each run's frozen weights are bit-identical to the Keras file's
// values after training, the head trains, the log names the layers loaded, kept and
// unused, and the three runs end bit-identical.
func TestInitialWeightsFromKerasFile(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on a Fashion-MNIST slice")
	}
	dir := t.TempDir()
	imported := filepath.Join(dir, "imported")
	if _, err := Import(baseKeras, Options{Dir: imported, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	want := kerasBytes(t, "functional")
	var first map[string][]byte
	for _, from := range []string{imported, baseKeras, "testdata/base_legacy.h5"} {
		t.Run(filepath.Base(from), func(t *testing.T) {
			run := filepath.Join(dir, "run_"+filepath.Base(from))
			named := from // what the log names: a Keras file, or a run directory's checkpoint
			if from == imported {
				named = latestOf(t, imported)
			}
			var log bytes.Buffer
			if err := fineTune(t, strings.Replace(fineTuneYAML, "WEIGHTS", from, 1), run, &log); err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			for _, s := range []string{
				"Initial weights from " + named + ": 2 layers (conv, bn)\n",
				"Not in the initial weights, keeping their initializers: head\n",
				"In the initial weights but not in this model (not used): probs\n",
				"Trainable params: 50\n", "Non-trainable params: 56\n",
			} {
				if !strings.Contains(log.String(), s) {
					t.Errorf("the log lacks %q:\n%s", s, log.String())
				}
			}
			got := checkpointBytes(t, latestOf(t, run))
			for name, b := range want {
				if !bytes.Equal(got[name], b) {
					t.Errorf("frozen %s is not the Keras file's after training", name)
				}
			}
			// The head trained: Adam's first moment of its kernel is not zero.
			m := got["adam/functional/head/kernel/m"]
			if len(m) == 0 || bytes.Equal(m, make([]byte, len(m))) {
				t.Errorf("the head's kernel has no Adam moment, or a zero one: it did not train")
			}
			if first == nil {
				first = got
				return
			}
			for name, b := range first {
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs from the run that started from the imported run directory", name)
				}
			}
		})
	}
}

// An imported run directory's config names the directory as its train.initial_weights,
// so that training it (its data set given) fine-tunes Keras's weights: a head whose shape
// changed is then an error naming the layer, the weight and both shapes, and renamed it
// starts from its initializer while the rest loads. Training into the imported directory
// is an error saying to train into another.
func TestImportedConfigStartsFromItsWeights(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on a Fashion-MNIST slice")
	}
	dir := t.TempDir()
	imported := filepath.Join(dir, "imported")
	res, err := Import(baseKeras, Options{Dir: imported, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(res.Config)
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	if !strings.Contains(body, "initial_weights: "+imported+"\n") {
		t.Fatalf("the imported config does not start from %s:\n%s", imported, body)
	}
	body = strings.Replace(body, "  format: image_directory\n  path: images\n  image_size: [28, 28]\n  color_mode: grayscale\n", "  dataset: fashion_mnist\n", 1)
	tenClasses := strings.Replace(body, "units: 3", "units: 10", 1)
	var log bytes.Buffer
	err = fineTune(t, tenClasses, filepath.Join(dir, "ten"), &log)
	if !errors.Is(err, checkpoints.ErrInitialWeights) {
		t.Fatalf("err = %v, want ErrInitialWeights", err)
	}
	for _, s := range []string{`layer "probs"`, "kernel is float32 [4 3] in the bundle", "float32 [4 10] in the model"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	renamed := strings.NewReplacer("name: probs", "name: head", "call: pool, units: 3", "call: pool, units: 10", "outputs: [probs]", "outputs: [head]").Replace(body)
	log.Reset()
	run := filepath.Join(dir, "renamed")
	if err := fineTune(t, renamed, run, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if s := "Initial weights from " + res.Checkpoint + ": 2 layers (conv, bn)\n"; !strings.Contains(log.String(), s) {
		t.Errorf("the log lacks %q:\n%s", s, log.String())
	}
	// Training into the imported directory itself is refused with what to do instead.
	err = fineTune(t, renamed, imported, &log)
	if !errors.Is(err, checkpoints.ErrCheckpointsExist) {
		t.Fatalf("training into the imported directory: err = %v, want ErrCheckpointsExist", err)
	}
	for _, s := range []string{"which tfrun import wrote of " + baseKeras, "train.initial_weights", "into another directory (-out DIR)"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	// Not frozen: the base trains from Keras's values.
	got := checkpointBytes(t, latestOf(t, run))
	if k := kerasBytes(t, "functional")["functional/conv/kernel"]; bytes.Equal(got["functional/conv/kernel"], k) {
		t.Errorf("conv/kernel did not train")
	}
}

// A .weights.h5 holds no architecture: as train.initial_weights it is read as the weights
// of the run's own model (Keras's load_weights), which takes them when it is the model
// they were saved from, and is an error saying what to do when its head differs.
func TestInitialWeightsFromWeightsFile(t *testing.T) {
	dir := t.TempDir()
	res, err := Import(baseKeras, Options{Dir: filepath.Join(dir, "imported"), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The same file named .h5 (as tf.keras's save_weights named them): no model in it,
	// so it is read as weights too.
	b, err := os.ReadFile("testdata/base.weights.h5")
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "base_weights.h5")
	if err := os.WriteFile(plain, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for i, path := range []string{"testdata/base.weights.h5", plain} {
		prefix, err := checkpoints.ResolveWeights(path, res.Config, filepath.Join(dir, fmt.Sprint("scratch", i)))
		if err != nil {
			t.Fatal(err)
		}
		got := checkpointBytes(t, prefix)
		for name, b := range kerasBytes(t, "functional") {
			if !bytes.Equal(got[name], b) {
				t.Errorf("%s: %s is not the Keras file's", path, name)
			}
		}
	}

	cfg := runtest.LoadConfig(t, strings.Replace(fineTuneYAML, "WEIGHTS", "testdata/base.weights.h5", 1))
	_, err = checkpoints.ResolveWeights("testdata/base.weights.h5", cfg.File, filepath.Join(dir, "scratch2"))
	if !errors.Is(err, checkpoints.ErrInitialWeights) || !errors.Is(err, ErrWeights) {
		t.Fatalf("err = %v, want ErrInitialWeights and ErrWeights", err)
	}
	for _, s := range []string{`layer "head" (Dense)`, "[4 3] in the file", "[4 10]", "give the .keras file"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

// Bad Keras files as train.initial_weights are errors naming the file and what is wrong.
func TestInitialWeightsBadKerasFiles(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "bad.keras")
	if err := os.WriteFile(notZip, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.h5")
	b, err := os.ReadFile("testdata/base_legacy.h5")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, b[:len(b)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "adir.keras"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, config string // config: the run's config file ("": a config built in Go)
		want         []string
	}{
		{notZip, "run.yaml", []string{notZip, "not a zip file"}},
		{filepath.Join(dir, "missing.keras"), "run.yaml", []string{"missing.keras", "no such file"}},
		{truncated, "run.yaml", []string{truncated}},
		{filepath.Join(dir, "adir.keras"), "run.yaml", []string{"a directory, not a .keras file"}},
		{"testdata/base.weights.h5", "", []string{"base.weights.h5", "no config file"}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			_, err := checkpoints.ResolveWeights(tc.path, tc.config, filepath.Join(t.TempDir(), "scratch"))
			if !errors.Is(err, checkpoints.ErrInitialWeights) {
				t.Fatalf("err = %v, want ErrInitialWeights", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

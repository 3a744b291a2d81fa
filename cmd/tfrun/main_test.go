package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/tfrun/tfrun/datasets"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "-version")
	if code != 0 || !strings.Contains(out, "TensorFlow 2.18.0") {
		t.Fatalf("exit %d, output %q; want 0 and TensorFlow 2.18.0", code, out)
	}
}

// Bad input: exit 2 and one line naming the file and the key at fault, before anything
// is built.
func TestBadConfigs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := `task: classifier
data: {dataset: imdb, num_words: 100, maxlen: 10}
model:
  layers:
    - {type: Embedding, input_dim: 100, output_dim: 4}
    - {type: LSTM, units: 4}
    - {type: Dense, units: 1, activation: sigmoid}
train: {epochs: 1, validation_data: test}
`
	cases := []struct {
		name, body string
		want       []string
	}{
		{"unknown_key", good + "colour: blue\n", []string{"unknown_key.yaml", "colour"}},
		{"unknown_layer", strings.Replace(good, "type: LSTM", "type: GRUU", 1), []string{"unknown_layer.yaml", "model.layers[1]", "GRUU"}},
		{"negative_units", strings.Replace(good, "units: 4", "units: -4", 1), []string{"negative_units.yaml", "model.layers[1].units"}},
		{"maxlen_zero", strings.Replace(good, "maxlen: 10", "maxlen: 0", 1), []string{"maxlen_zero.yaml", "data.maxlen"}},
		{"wrong_type", strings.Replace(good, "epochs: 1", "epochs: many", 1), []string{"wrong_type.yaml", "train.epochs"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(tc.name+".yaml", tc.body)
			code, _, stderr := runCLI(t, "-config", p, "-out", filepath.Join(dir, "run"))
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("error is more than one line: %q", stderr)
			}
		})
	}
	t.Run("model_does_not_fit_loss", func(t *testing.T) {
		// Valid YAML whose model cannot take the loss: found while building, still exit 2.
		p := write("seq.yaml", strings.Replace(good, "{type: LSTM, units: 4}", "{type: LSTM, units: 4, return_sequences: true}", 1))
		code, _, stderr := runCLI(t, "-config", p, "-limit", "20", "-out", filepath.Join(dir, "seqrun"))
		if strings.Contains(stderr, datasets.ErrDataSetNotFound.Error()) {
			t.Skip("IMDB data not available")
		}
		if code != 2 || !strings.Contains(stderr, "binary_crossentropy") {
			t.Errorf("exit %d, stderr %q; want 2 and a message about the loss", code, stderr)
		}
	})
	t.Run("missing_file", func(t *testing.T) {
		code, _, stderr := runCLI(t, "-config", filepath.Join(dir, "nope.yaml"))
		if code != 2 || !strings.Contains(stderr, "nope.yaml") {
			t.Errorf("exit %d, stderr %q; want 2 naming nope.yaml", code, stderr)
		}
	})
	t.Run("no_config", func(t *testing.T) {
		if code, _, _ := runCLI(t); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
	t.Run("missing_data", func(t *testing.T) {
		// Nothing to find: an empty -data-dir, no $TFRUN_DATA_DIR, the user cache in the
		// temporary directory, and a working directory in no tfrun checkout ("/", not a
		// temporary directory, which might sit in a checkout or below a shared/data; the
		// test binary is not in a checkout's bin/ either).
		t.Setenv("TFRUN_DATA_DIR", "")
		t.Chdir(string(filepath.Separator))
		t.Setenv("XDG_CACHE_HOME", dir)
		t.Setenv("HOME", dir)
		p := write("good.yaml", good)
		code, _, stderr := runCLI(t, "-config", p, "-data-dir", filepath.Join(dir, "empty"), "-out", filepath.Join(dir, "run"))
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, want := range []string{
			"locate imdb: " + datasets.ErrDataSetNotFound.Error(),
			filepath.Join(dir, "empty", "aclImdb_v1.tar.gz") + " (dataDir argument (-data-dir))",
			filepath.Join(dir, "tfrun", "datasets", "aclImdb") + " (user cache)",
			"no ../shared/data searched",
			"with -data-dir DIR or $TFRUN_DATA_DIR=DIR",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr %q lacks %q", stderr, want)
			}
		}
	})
	t.Run("missing_data_env", func(t *testing.T) {
		// $TFRUN_DATA_DIR without -data-dir is searched once, as itself.
		env := filepath.Join(dir, "envdata")
		t.Setenv("TFRUN_DATA_DIR", env)
		t.Chdir(string(filepath.Separator))
		t.Setenv("XDG_CACHE_HOME", dir)
		t.Setenv("HOME", dir)
		p := write("good.yaml", good)
		code, _, stderr := runCLI(t, "-config", p, "-out", filepath.Join(dir, "run"))
		want := filepath.Join(env, "aclImdb_v1.tar.gz") + " ($TFRUN_DATA_DIR)"
		if code != 1 || strings.Count(stderr, filepath.Join(env, "aclImdb_v1.tar.gz")) != 1 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q; want 1 and %q listed once", code, stderr, want)
		}
	})
}

// A smoke run of a real config on a slice of the real data writes every file of the run
// directory.
func TestSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("uses the IMDB data set")
	}
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "-config", "../../configs/imdb_lstm_dropout.yaml", "-epochs", "2", "-limit", "500", "-out", out)
	if code != 0 {
		if strings.Contains(stderr, datasets.ErrDataSetNotFound.Error()) {
			t.Skipf("IMDB data not available: %s", stderr)
		}
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Model: \"sequential\"", "Epoch 2/2", "val_accuracy", "Test accuracy"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	var h struct {
		Epochs  []int                `json:"epochs"`
		Metrics map[string][]float64 `json:"metrics"`
	}
	readJSON(t, filepath.Join(out, "history.json"), &h)
	if len(h.Epochs) != 2 {
		t.Errorf("history epochs %v, want 2", h.Epochs)
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"} {
		if len(h.Metrics[k]) != 2 {
			t.Errorf("history[%q] = %v, want 2 values", k, h.Metrics[k])
		}
	}
	var m map[string]any
	readJSON(t, filepath.Join(out, "metrics.json"), &m)
	for _, k := range []string{"test_loss", "test_accuracy", "epochs_run", "seconds_per_epoch"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("metrics.json: %q is %v, want a number", k, m[k])
		}
	}
	f, err := os.Open(filepath.Join(out, "curves.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("curves.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() <= b.Dy() {
		t.Errorf("curves.png is %v, want two panels side by side (wider than tall)", b)
	}
	for _, name := range []string{"summary.txt", "model.dot", "model.svg", "history.csv", "vocabulary.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

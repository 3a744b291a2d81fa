package classifier

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// convYAML is a small Conv1D classifier on IMDB: its convolution's gradients have forms to
// choose from.
const convYAML = `name: conv
task: classifier
seed: 7
data: {dataset: imdb, num_words: 2000, maxlen: 40}
model:
  layers:
    - {type: Embedding, input_dim: 2000, output_dim: 16}
    - {type: Conv1D, filters: 8, kernel_size: 5, activation: relu}
    - {type: GlobalMaxPooling1D}
    - {type: Dense, units: 1, activation: sigmoid}
train:
  epochs: 2
  batch_size: 32
  optimizer: {type: Adam, learning_rate: 0.01}
checkpoint: {every: 1}
`

// A classifier run with TFRUN_AUTOTUNE=0 runs TensorFlow's kernels, says so in
// autotune.json and records the choices in its checkpoints beside the LSTMs' forms; resumed
// with autotuning on, it takes the checkpoint's forms and measures nothing, and writes
// nothing to the cache.
func TestClassifierAutotuneRecordAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cache := t.TempDir()
	t.Setenv(autotune.CacheDirEnvVar, cache)
	t.Setenv(autotune.EnvVar, "0")
	cfg := runtest.LoadConfig(t, convYAML)
	dir := t.TempDir()
	if _, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Epochs = 1 }); err != nil {
		t.Fatal(err)
	}
	readRecord := func() (mode string, choices []graphs.KernelChoice) {
		var r struct {
			Mode    string                `json:"mode"`
			Choices []graphs.KernelChoice `json:"choices"`
		}
		b, err := os.ReadFile(filepath.Join(dir, autotune.RecordFile))
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil {
			t.Fatal(err)
		}
		return r.Mode, r.Choices
	}
	mode, choices := readRecord()
	if mode != "off" || len(choices) == 0 {
		t.Fatalf("record: mode %q, %d choices; want off and some", mode, len(choices))
	}
	for _, c := range choices {
		if c.Form != graphs.FormTensorFlow || c.Source != graphs.SourceOff {
			t.Errorf("off: %+v", c)
		}
	}
	forms, _ := kernelFormsOf(t, dir)
	n := 0
	for k, v := range forms {
		if strings.HasPrefix(k, "autotune: ") {
			n++
			if v != graphs.FormTensorFlow {
				t.Errorf("checkpoint records %s: %s, want tensorflow", k, v)
			}
		}
	}
	if n != len(choices) {
		t.Errorf("checkpoint records %d autotune forms (%v), want %d", n, forms, len(choices))
	}

	t.Setenv(autotune.EnvVar, "1")
	if _, err := runTiny(t, context.Background(), cfg, dir, func(o *runner.Options) { o.Resume = true }); err != nil {
		t.Fatal(err)
	}
	mode, choices = readRecord()
	if mode != "on" {
		t.Errorf("resumed: mode %q, want on", mode)
	}
	for _, c := range choices {
		if c.Form != graphs.FormTensorFlow || c.Source != graphs.SourceCheckpoint {
			t.Errorf("resumed: %+v, want the checkpoint's tensorflow", c)
		}
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("the resumed run wrote the cache: %v", entries)
	}
}

package tfrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
)

// tinyGANYAML is an unconditional DCGAN small enough to train an epoch of 128 MNIST
// images in seconds.
const tinyGANYAML = `name: tiny_gan
task: gan
data: {dataset: mnist}
gan:
  noise_dim: 8
  batch_size: 64
  epochs: 3
  sample_grid: [4, 4]
  generator:
    layers:
      - {type: Dense, units: 98}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Reshape, target_shape: [7, 7, 2]}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 4, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 4, strides: 2, padding: same, activation: tanh}
  discriminator:
    layers:
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Flatten}
      - {type: Dense, units: 1}
`

// tinyMNISTClassifierYAML scores tiny_gan's images (EvaluateGAN).
const tinyMNISTClassifierYAML = `name: tiny_classifier
task: classifier
data: {dataset: mnist}
model:
  layers:
    - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same, activation: relu}
    - {type: Flatten}
    - {type: Dense, units: 16, activation: relu}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 3, batch_size: 64, loss: sparse_categorical_crossentropy, optimizer: adam}
`

// loadConfig loads a shipped config (configs/) or writes yaml to dir and loads it.
func loadConfig(t *testing.T, dir, name, yaml string) *configs.Config {
	t.Helper()
	path := filepath.Join("configs", name)
	if yaml != "" {
		path = filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// skipWithoutData skips a test whose run found no data: a built-in data set not found
// (datasets.ErrDataSetNotFound), or a CSV of ../shared/data missing (fs.ErrNotExist).
func skipWithoutData(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, datasets.ErrDataSetNotFound) || errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no data: %v", err)
	}
}

// trainRun trains cfg for one epoch on limit examples into a new directory under dir, as
// tfrun -config FILE -epochs 1 -limit N -out DIR does, and returns the directory and what
// the run printed.
func trainRun(t *testing.T, dir string, cfg *configs.Config, limit int) (string, string) {
	t.Helper()
	var out bytes.Buffer
	want := filepath.Join(dir, cfg.Name)
	runDir, err := tfrun.Run(context.Background(), cfg, tfrun.RunOptions{Epochs: 1, Limit: limit, OutDir: want, Threads: 2,
		Out: &out, Verbose: tfrun.VerboseLines})
	skipWithoutData(t, err)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if runDir != want {
		t.Errorf("Run returned %q, want the OutDir %q", runDir, want)
	}
	return runDir, out.String()
}

// Run trains a config of each registered task as tfrun -config does: the same printout
// and the same files in the run directory.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the wine table and MNIST")
	}
	for _, tc := range []struct {
		name, config, yaml string
		limit              int
		printed, files     []string
	}{
		{"classifier", "wine.yaml", "", 64,
			[]string{"Model: \"sequential\"", "Epoch 1/1", "val_accuracy", "Test accuracy"},
			[]string{"summary.txt", "model.svg", "model.dot", "history.json", "history.csv", "metrics.json",
				"curves.png", "normalization.json", "checkpoints/checkpoint"}},
		{"gan", "tiny_gan.yaml", tinyGANYAML, 128,
			[]string{"Epoch 1/1", "gen_loss", "disc_loss"},
			[]string{"summary.txt", "generator.svg", "discriminator.svg", "history.json", "history.csv",
				"losses.png", "samples/epoch_0001.png", "checkpoints/checkpoint"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := loadConfig(t, dir, tc.config, tc.yaml)
			runDir, printed := trainRun(t, dir, cfg, tc.limit)
			for _, want := range tc.printed {
				if !strings.Contains(printed, want) {
					t.Errorf("the run printed no %q:\n%s", want, printed)
				}
			}
			for _, f := range tc.files {
				if _, err := os.Stat(filepath.Join(runDir, f)); err != nil {
					t.Errorf("the run directory lacks %s: %v", f, err)
				}
			}
			var h struct {
				Epochs []int `json:"epochs"`
			}
			b, err := os.ReadFile(filepath.Join(runDir, "history.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &h); err != nil || len(h.Epochs) != 1 {
				t.Errorf("history.json: epochs %v (%v), want 1 (RunOptions.Epochs over the config's)", h.Epochs, err)
			}
			// The directory holds checkpoints now: a second run refuses it, Resume continues it.
			_, err = tfrun.Run(context.Background(), cfg, tfrun.RunOptions{Epochs: 1, Limit: tc.limit, OutDir: runDir})
			if !errors.Is(err, checkpoints.ErrCheckpointsExist) || !tfrun.IsUserError(err) {
				t.Errorf("a second run into %s: %v; want checkpoints.ErrCheckpointsExist, a user error", runDir, err)
			}
			if _, err := tfrun.Run(context.Background(), cfg, tfrun.RunOptions{Epochs: 2, Limit: tc.limit, OutDir: runDir, Resume: true}); err != nil {
				t.Fatalf("Resume to epoch 2: %v", err)
			}
			b, err = os.ReadFile(filepath.Join(runDir, "history.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &h); err != nil || len(h.Epochs) != 2 {
				t.Errorf("history.json after Resume: epochs %v (%v), want 2", h.Epochs, err)
			}
		})
	}
}

// Run refuses what tfrun -config refuses, with the errors tfrun prints (after "tfrun: ")
// and exits 2 on (IsUserError), before anything is trained.
func TestRunBadInputs(t *testing.T) {
	wine := func(t *testing.T) *configs.Config { return loadConfig(t, "", "wine.yaml", "") }
	for _, tc := range []struct {
		name string
		cfg  func(t *testing.T) *configs.Config
		o    func(dir string) tfrun.RunOptions
		is   error // the sentinel the error wraps (nil: none)
		want string
	}{
		{"no config", func(*testing.T) *configs.Config { return nil }, func(string) tfrun.RunOptions { return tfrun.RunOptions{} },
			nil, "run: no config"},
		{"unknown task", func(t *testing.T) *configs.Config {
			cfg := wine(t)
			cfg.Task = "no_such_task"
			return cfg
		}, func(dir string) tfrun.RunOptions { return tfrun.RunOptions{OutDir: dir} },
			nil, `configs/wine.yaml: task "no_such_task": no kind of that name runs here (linked in: [classifier gan])`},
		{"resume without a checkpoint", wine, func(dir string) tfrun.RunOptions { return tfrun.RunOptions{OutDir: dir, Resume: true} },
			checkpoints.ErrNoCheckpoint, "no checkpoint to resume from"},
		{"resume and resume or start", wine, func(dir string) tfrun.RunOptions {
			return tfrun.RunOptions{OutDir: dir, Resume: true, ResumeOrStart: true}
		}, nil, "Resume and ResumeOrStart exclude each other"},
		{"negative epochs", wine, func(dir string) tfrun.RunOptions { return tfrun.RunOptions{OutDir: dir, Epochs: -1} },
			nil, "epochs -1, limit 0, threads 0: none may be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			_, err := tfrun.Run(context.Background(), tc.cfg(t), tc.o(dir))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not wrap %v", err, tc.is)
			}
			if !tfrun.IsUserError(err) {
				t.Errorf("IsUserError(%v) = false, want true (tfrun exits 2)", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "history.json")); err == nil {
				t.Errorf("the refused run wrote %s", filepath.Join(dir, "history.json"))
			}
		})
	}
}

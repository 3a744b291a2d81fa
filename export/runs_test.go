package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/gan"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// The tiny runs the tests export, trained once per test binary.

// textYAML is a small IMDB classifier with what inference must leave out or change:
// Dropout, and a BatchNormalization on its moving statistics. ModelCheckpoint keeps a best
// checkpoint.
const textYAML = `name: tiny_text
task: classifier
seed: 3
data: {dataset: imdb, num_words: 2000, maxlen: 40}
model:
  layers:
    - {type: Embedding, input_dim: 2000, output_dim: 16}
    - {type: Dropout, rate: 0.3}
    - {type: LSTM, units: 8}
    - {type: BatchNormalization}
    - {type: Dense, units: 1, activation: sigmoid}
train:
  epochs: 2
  batch_size: 32
  validation_split: 0.2
  optimizer: {type: Adam, learning_rate: 0.01}
  callbacks:
    - {type: ModelCheckpoint, monitor: val_accuracy, save_best_only: true}
checkpoint: {every: 1, keep: 3}
`

// imageYAML is a small MNIST classifier (softmax over 10 classes).
const imageYAML = `name: tiny_image
task: classifier
seed: 3
data: {dataset: mnist}
model:
  layers:
    - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same, activation: relu}
    - {type: BatchNormalization}
    - {type: Flatten}
    - {type: Dropout, rate: 0.3}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 64, loss: sparse_categorical_crossentropy, optimizer: adam}
`

// cganYAML is a small conditional GAN on MNIST with BatchNormalization in the generator.
const cganYAML = `name: tiny_cgan
task: gan
seed: 3
data: {dataset: mnist}
gan:
  noise_dim: 8
  batch_size: 64
  epochs: 1
  num_classes: 10
  sample_grid: [10, 2]
  generator:
    label_branch:
      - {type: Embedding, input_dim: 10, output_dim: 5}
      - {type: Dense, units: 49}
      - {type: Reshape, target_shape: [7, 7, 1]}
    input_branch:
      - {type: Dense, units: 98}
      - {type: BatchNormalization}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Reshape, target_shape: [7, 7, 2]}
    layers:
      - {type: Concatenate}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 4, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 4, strides: 2, padding: same, activation: tanh}
  discriminator:
    label_branch:
      - {type: Embedding, input_dim: 10, output_dim: 5}
      - {type: Dense, units: 784}
      - {type: Reshape, target_shape: [28, 28, 1]}
    layers:
      - {type: Concatenate}
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: LeakyReLU, negative_slope: 0.2}
      - {type: Dropout, rate: 0.3}
      - {type: Flatten}
      - {type: Dense, units: 1}
`

// testRun is a trained run: its config and directory.
type testRun struct {
	cfg *configs.Config
	dir string
	err error
}

var (
	runsMu   sync.Mutex
	runs     = map[string]*testRun{}
	runsRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if runsRoot != "" {
		os.RemoveAll(runsRoot)
	}
	os.Exit(code)
}

// trainedRun trains the config once per test binary (limit examples, one thread) and
// returns it; it skips the test when the data set is missing.
func trainedRun(t *testing.T, body string, limit int) (*configs.Config, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains a model")
	}
	cfg := runtest.LoadConfig(t, body)
	runsMu.Lock()
	defer runsMu.Unlock()
	r := runs[cfg.Name]
	if r == nil {
		if runsRoot == "" {
			d, err := os.MkdirTemp("", "tfrun-export-test-")
			if err != nil {
				t.Fatal(err)
			}
			runsRoot = d
		}
		r = &testRun{cfg: cfg, dir: filepath.Join(runsRoot, cfg.Name)}
		o := runner.Options{Limit: limit, OutDir: r.dir, Threads: 1}
		if cfg.Task == configs.TaskGAN {
			r.err = gan.Run(context.Background(), cfg, o)
		} else {
			_, r.err = classifier.Run(context.Background(), cfg, o)
		}
		runs[cfg.Name] = r
	}
	if errors.Is(r.err, datasets.ErrDataSetNotFound) {
		t.Skipf("%s not available: %v", cfg.Data.Dataset, r.err)
	}
	if r.err != nil {
		t.Fatalf("training %s: %v", cfg.Name, r.err)
	}
	return r.cfg, r.dir
}

package main

import (
	"encoding/json"
	"github.com/tfrun/tfrun/datasets"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyCGANYAML = `name: tiny_cgan
task: gan
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
      - {type: Flatten}
      - {type: Dense, units: 1}
`

const tinyClassifierYAML = `name: tiny_classifier
task: classifier
data: {dataset: mnist}
model:
  layers:
    - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same, activation: relu}
    - {type: Flatten}
    - {type: Dense, units: 16, activation: relu}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 64, loss: sparse_categorical_crossentropy, optimizer: adam}
`

// Train a tiny conditional GAN and classifier, then draw from the GAN with `generate` and
// score it with `evaluate-gan`.
func TestGenerateAndEvaluateGAN(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	gan := filepath.Join(dir, "gan.yaml")
	clf := filepath.Join(dir, "clf.yaml")
	os.WriteFile(gan, []byte(tinyCGANYAML), 0o644)
	os.WriteFile(clf, []byte(tinyClassifierYAML), 0o644)
	ganRun, clfRun := filepath.Join(dir, "gan_run"), filepath.Join(dir, "clf_run")
	if code, _, stderr := runCLI(t, "-config", gan, "-limit", "256", "-out", ganRun); code != 0 {
		if strings.Contains(stderr, datasets.ErrDataSetNotFound.Error()) {
			t.Skipf("MNIST not available: %s", stderr)
		}
		t.Fatalf("training the GAN: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "-config", clf, "-limit", "512", "-out", clfRun); code != 0 {
		t.Fatalf("training the classifier: exit %d: %s", code, stderr)
	}

	t.Run("generate_every_class", func(t *testing.T) {
		out := filepath.Join(dir, "all.png")
		code, stdout, stderr := runCLI(t, "generate", "-config", gan, "-run", ganRun, "-n", "20", "-out", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "ckpt-") {
			t.Errorf("output %q does not name the checkpoint", stdout)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		// 10 rows (one per class) of 2 images of 28 px at scale 3 with 2 px separators.
		if h := img.Bounds().Dy(); h != 10*28*3+9*2 {
			t.Errorf("grid height %d, want %d (one row per class)", h, 10*28*3+9*2)
		}
	})
	t.Run("generate_errors", func(t *testing.T) {
		if code, _, _ := runCLI(t, "generate", "-config", gan, "-run", ganRun, "-class", "10", "-out", filepath.Join(dir, "x.png")); code != 2 {
			t.Errorf("-class 10: exit %d, want 2", code)
		}
		if code, _, stderr := runCLI(t, "generate", "-config", gan, "-run", filepath.Join(dir, "nowhere"), "-out", filepath.Join(dir, "x.png")); code != 2 || !strings.Contains(stderr, "no checkpoint") {
			t.Errorf("no checkpoint: exit %d, %q", code, stderr)
		}
		if code, _, _ := runCLI(t, "generate", "-config", clf, "-run", clfRun, "-out", filepath.Join(dir, "x.png")); code != 2 {
			t.Errorf("a classifier's config: exit %d, want 2", code)
		}
	})
	t.Run("evaluate_gan_needs_a_classifier", func(t *testing.T) {
		code, _, stderr := runCLI(t, "evaluate-gan", "-config", gan, "-run", ganRun, "-classifier", gan)
		if code != 2 || !strings.Contains(stderr, "classifier") {
			t.Errorf("exit %d, %q; want 2 and a message about the classifier", code, stderr)
		}
	})
	t.Run("evaluate_gan", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "evaluate-gan", "-config", gan, "-run", ganRun, "-classifier", clf, "-classifier-run", clfRun, "-n", "200")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"Fréchet distance", "Conditional accuracy", "gan_metrics.json"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		var m map[string]any
		b, err := os.ReadFile(filepath.Join(ganRun, "gan_metrics.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		fd, _ := m["frechet_distance"].(float64)
		floor, _ := m["frechet_floor"].(float64)
		if !(fd > floor && floor >= 0) {
			t.Errorf("frechet_distance %v, floor %v: an untrained generator should be farther from the test images than real training images are", fd, floor)
		}
		if _, ok := m["conditional_accuracy"]; !ok {
			t.Error("no conditional_accuracy for a conditional GAN")
		}
	})
}

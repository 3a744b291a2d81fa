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

// augmentationYAML is a small CIFAR-10 model behind a Normalization (adapted before the
// first step) and every random augmentation layer, trained 2 epochs of 15 steps (-limit 600, 20% validation).
const augmentationYAML = `name: augment
task: classifier
seed: 5
data: {dataset: cifar10}
model:
  layers:
    - {type: Normalization}
    - {type: RandomFlip, mode: horizontal}
    - {type: RandomTranslation, height_factor: 0.125, width_factor: 0.125}
    - {type: RandomRotation, factor: 0.05, fill_mode: constant}
    - {type: RandomZoom, height_factor: 0.1, interpolation: nearest}
    - {type: RandomContrast, factor: 0.2, value_range: [-1, 1]}
    - {type: RandomCrop, height: 28, width: 28}
    - {type: Conv2D, filters: 4, kernel_size: 3, activation: relu}
    - {type: GlobalAveragePooling2D}
    - {type: Dense, units: 10, activation: softmax}
train:
  epochs: 2
  batch_size: 32
  validation_split: 0.2
  loss: sparse_categorical_crossentropy
checkpoint: {every: 1, keep: 2}
`

// A model with random augmentation layers, stopped after an epoch and resumed, ends bit
// for bit as the uninterrupted run: the layers' draws are keyed by the step counter the
// checkpoint restores, not by a stateful generator; the checkpoint holds the adapted
// Normalization's statistics. The same config without the
// augmentation layers ends elsewhere (the draws do change the training).
func TestAugmentationResumeBitForBit(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on CIFAR-10")
	}
	final := checkpoints.Name(30)
	run := func(cfg, dir string, args ...string) []byte {
		t.Helper()
		code, out := runChild(t, cfg, dir, append([]string{"-limit", "600"}, args...)...)
		if code != 0 {
			if strings.Contains(out, datasets.ErrDataSetNotFound.Error()) {
				t.Skip("CIFAR-10 not available")
			}
			t.Fatalf("tfrun %v: exit %d:\n%s", args, code, out)
		}
		data, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), final), 0, 1))
		if err != nil && len(args) == 0 {
			t.Fatal(err)
		}
		return data
	}
	cfg := writeConfig(t, augmentationYAML)
	straight := t.TempDir()
	want := run(cfg, straight)
	entries, err := checkpoints.List(filepath.Join(checkpoints.Dir(straight), final))
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, e := range entries {
		for _, w := range []string{"normalization/mean", "normalization/variance", "normalization/count"} {
			if strings.HasSuffix(e.Name, w) {
				found++
			}
		}
	}
	if found != 3 {
		t.Errorf("the checkpoint holds %d of Normalization's mean, variance and count: %v", found, entries)
	}
	dir := t.TempDir()
	run(cfg, dir, "-epochs", "1")
	if got := run(cfg, dir, "-resume"); !bytes.Equal(got, want) {
		t.Errorf("the resumed run's %s differs from the uninterrupted run's", final)
	}
	var kept []string
	for _, l := range strings.Split(augmentationYAML, "\n") {
		if !strings.Contains(l, "type: Random") {
			kept = append(kept, l)
		}
	}
	plain := writeConfig(t, strings.Join(kept, "\n"))
	// Without the crop the model sees 32×32 images: same weights' shapes (global pooling).
	if got := run(plain, t.TempDir()); bytes.Equal(got, want) {
		t.Errorf("training without the augmentation layers ends with the same weights")
	}
}

package gan

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// tinyFolderCGAN is tinyCGAN's shape on an image_directory of three colours, 8×8
// grayscale: conditional on the folder labels.
const tinyFolderCGAN = `task: gan
data: {format: image_directory, path: %s, image_size: [8, 8], color_mode: grayscale}
gan:
  noise_dim: 8
  batch_size: 8
  epochs: 1
  num_classes: %d
  sample_grid: [3, 2]
  generator:
    label_branch:
      - {type: Embedding, input_dim: 3, output_dim: 5}
      - {type: Dense, units: 4}
      - {type: Reshape, target_shape: [2, 2, 1]}
    input_branch:
      - {type: Dense, units: 32}
      - {type: Reshape, target_shape: [2, 2, 8]}
    layers:
      - {type: Concatenate}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 3, strides: 2, padding: same, activation: tanh}
  discriminator:
    label_branch:
      - {type: Embedding, input_dim: 3, output_dim: 5}
      - {type: Dense, units: 64}
      - {type: Reshape, target_shape: [8, 8, 1]}
    layers:
      - {type: Concatenate}
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: Flatten}
      - {type: Dense, units: 1}
`

func TestImageDirectoryGAN(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, map[string]color.RGBA{"dark": {20, 20, 20, 255}, "grey": {128, 128, 128, 255}, "light": {230, 230, 230, 255}}, 8, 12, 1)
	t.Run("conditional", func(t *testing.T) {
		cfg := runtest.LoadConfig(t, fmt.Sprintf(tinyFolderCGAN, dir, 3))
		data, err := loadData(context.Background(), cfg, "", 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if data.Len() != 24 || data.Shape[0] != 8 || data.Shape[1] != 8 || data.Shape[2] != 1 {
			t.Fatalf("loaded %d images of %v, want 24 of [8 8 1]", data.Len(), data.Shape)
		}
		counts := map[int32]int{}
		lo, hi := float32(1), float32(-1)
		for i, l := range data.Labels {
			counts[l]++
			if l == 0 {
				lo = min(lo, data.Images[i*64])
			}
			if l == 2 {
				hi = max(hi, data.Images[i*64])
			}
		}
		if counts[0] != 8 || counts[1] != 8 || counts[2] != 8 {
			t.Errorf("labels %v, want 8 of each class", counts)
		}
		if lo > -0.6 || hi < 0.6 {
			t.Errorf("dark pixels up to %g, light from %g: want [-1, 1] scaling (tanh, a GAN's default)", lo, hi)
		}
		out := t.TempDir()
		if err := Run(context.Background(), cfg, runner.Options{OutDir: out, Threads: 1, Out: &strings.Builder{}}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(out, "samples", "epoch_0001.png")); err != nil {
			t.Error(err)
		}
	})
	t.Run("num_classes mismatch", func(t *testing.T) {
		cfg := runtest.LoadConfig(t, fmt.Sprintf(tinyFolderCGAN, dir, 2))
		err := Run(context.Background(), cfg, runner.Options{OutDir: t.TempDir(), Threads: 1, Out: &strings.Builder{}})
		if !errors.Is(err, assemble.ErrModelConfig) || !strings.Contains(err.Error(), "gan.num_classes: 2, but") {
			t.Fatalf("error %v, want an ErrModelConfig about gan.num_classes", err)
		}
	})
}

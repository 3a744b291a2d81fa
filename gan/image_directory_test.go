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
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
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

// TestImageDirectoryGANStreamed: a GAN on an image folder streamed from disk (data.cache:
// false) trains to the same history, bit for bit, as on the folder decoded into memory,
// every step served by the read-ahead the loop planned; the log names the folder.
func TestImageDirectoryGANStreamed(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, map[string]color.RGBA{"dark": {20, 20, 20, 255}, "grey": {128, 128, 128, 255}, "light": {230, 230, 230, 255}}, 7, 12, 1)
	run := func(cache bool) (string, string) {
		body := strings.Replace(fmt.Sprintf(tinyFolderCGAN, dir, 3), "color_mode: grayscale}", fmt.Sprintf("color_mode: grayscale, cache: %v}", cache), 1)
		body = strings.Replace(body, "epochs: 1", "epochs: 2", 1)
		cfg := runtest.LoadConfig(t, body)
		data, err := loadData(context.Background(), cfg, "", 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer data.Close()
		if data.Streamed() == cache {
			t.Fatalf("cache %v: streamed %v", cache, data.Streamed())
		}
		out, log := t.TempDir(), &strings.Builder{}
		if err := Run(context.Background(), cfg, runner.Options{OutDir: out, Threads: 1, Out: log}); err != nil {
			t.Fatalf("cache %v: %v", cache, err)
		}
		return out, log.String()
	}
	outC, _ := run(true)
	outS, logS := run(false)
	if !runtest.SameHistory(runtest.HistoryWithoutSeconds(t, outC), runtest.HistoryWithoutSeconds(t, outS)) {
		t.Errorf("streamed history differs from the cached one:\n%v\n%v", runtest.HistoryWithoutSeconds(t, outS), runtest.HistoryWithoutSeconds(t, outC))
	}
	if want := "Loaded image_directory " + dir + ": 21 training images"; !strings.Contains(logS, want) {
		t.Errorf("log does not say %q:\n%s", want, logS)
	}
}

// TestImageDataStreamPlanned: the batches of streamed images are the tensors of the same
// images in memory, and a planned epoch is read ahead with bounded memory.
func TestImageDataStreamPlanned(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, map[string]color.RGBA{"a": {20, 20, 20, 255}, "b": {230, 230, 230, 255}}, 9, 5, 1)
	load := func(cache bool) *ImageData {
		cfg := runtest.LoadConfig(t, strings.Replace(fmt.Sprintf(tinyFolderCGAN, dir, 2), "color_mode: grayscale}", fmt.Sprintf("color_mode: grayscale, cache: %v}", cache), 1))
		d, err := loadData(context.Background(), cfg, "", 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	mem, str := load(true), load(false)
	defer str.Close()
	tr := &training{data: str}
	order := []int{4, 17, 0, 9, 3, 12, 8, 1, 16, 2, 5, 6, 7, 10, 11, 13, 14, 15}
	if err := tr.PlanEpoch(order, 4); err != nil {
		t.Fatal(err)
	}
	for start := 0; start < len(order); start += 4 {
		idx := order[start:min(start+4, len(order))]
		wi, wl, err := mem.Batch(idx)
		if err != nil {
			t.Fatal(err)
		}
		gi, gl, err := str.Batch(idx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(graphs.Value(gi)) != fmt.Sprint(graphs.Value(wi)) || fmt.Sprint(graphs.Value(gl)) != fmt.Sprint(graphs.Value(wl)) {
			t.Fatalf("batch %v: streamed tensors differ from those in memory", idx)
		}
	}
	if st := str.StreamStats(); st.Planned != 5 || st.Unplanned != 0 || st.MaxHeld > datasets.ImageBatchesAhead+1 {
		t.Errorf("stream stats %+v: want 5 batches read ahead, none on demand, at most 3 held", st)
	}
}

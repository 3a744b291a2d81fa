package tfrun_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
)

// Generate and EvaluateGAN do what tfrun generate and tfrun evaluate-gan do, on a tiny
// GAN and classifier trained on MNIST.
func TestGenerateAndEvaluateGAN(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	ganCfg := loadConfig(t, dir, "tiny_gan.yaml", tinyGANYAML)
	clfCfg := loadConfig(t, dir, "tiny_classifier.yaml", tinyMNISTClassifierYAML)
	ganRun, _ := trainRun(t, dir, ganCfg, 128)
	clfRun, _ := trainRun(t, dir, clfCfg, 256)

	t.Run("generate", func(t *testing.T) {
		png := filepath.Join(dir, "grid.png")
		g, err := tfrun.Generate(ganCfg, png, tfrun.GenerateOptions{RunDir: ganRun, N: 6, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if g.Images != 6 || !strings.HasPrefix(filepath.Base(g.Checkpoint), "ckpt-") || g.Grid == nil {
			t.Errorf("drew %d images from %q, grid %v; want 6 from a ckpt-N", g.Images, g.Checkpoint, g.Grid)
		}
		if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
			t.Errorf("the PNG: %v", err)
		}
		again, err := tfrun.Generate(ganCfg, "", tfrun.GenerateOptions{RunDir: ganRun, N: 6, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pixels(g.Grid), pixels(again.Grid)) {
			t.Error("the same seed drew another grid")
		}
	})
	t.Run("generate refuses", func(t *testing.T) {
		class := 3
		for _, tc := range []struct {
			name string
			cfg  *configs.Config
			o    tfrun.GenerateOptions
			is   error
			want string
		}{
			{"no images", ganCfg, tfrun.GenerateOptions{RunDir: ganRun}, nil, "-n 0: want at least one image"},
			{"a class of an unconditional GAN", ganCfg, tfrun.GenerateOptions{RunDir: ganRun, N: 4, Class: &class}, nil, "this GAN is not conditional"},
			{"no checkpoint", ganCfg, tfrun.GenerateOptions{RunDir: filepath.Join(dir, "nowhere"), N: 4}, checkpoints.ErrNoCheckpoint, "no checkpoint"},
			{"not a GAN", clfCfg, tfrun.GenerateOptions{RunDir: clfRun, N: 4}, nil, `task "classifier": not a GAN`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := tfrun.Generate(tc.cfg, filepath.Join(dir, "x.png"), tc.o)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !tfrun.IsUserError(err) || (tc.is != nil && !errors.Is(err, tc.is)) {
					t.Errorf("got %v; want a user error saying %q", err, tc.want)
				}
			})
		}
	})
	t.Run("evaluate", func(t *testing.T) {
		var out bytes.Buffer
		m, err := tfrun.EvaluateGAN(context.Background(), ganCfg, tfrun.EvaluateGANOptions{RunDir: ganRun, Classifier: clfCfg,
			ClassifierRunDir: clfRun, N: 100, Seed: 1, Threads: 2, Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		if m.Generated != 100 || len(m.LabelHistogram) != 10 || !(m.FrechetDistance > 0) {
			t.Errorf("scores %+v; want 100 images, 10 classes' counts, a positive Fréchet distance", m)
		}
		if !strings.Contains(out.String(), "Fréchet distance") {
			t.Errorf("printed %q, no Fréchet distance", out.String())
		}
		if _, err := os.Stat(filepath.Join(ganRun, "gan_metrics.json")); err != nil {
			t.Error(err)
		}
	})
	t.Run("evaluate refuses", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			cfg  *configs.Config
			o    tfrun.EvaluateGANOptions
			want string
		}{
			{"one image", ganCfg, tfrun.EvaluateGANOptions{RunDir: ganRun, Classifier: clfCfg, ClassifierRunDir: clfRun, N: 1}, "n 1: want at least 2"},
			{"a GAN as the classifier", ganCfg, tfrun.EvaluateGANOptions{RunDir: ganRun, Classifier: ganCfg, N: 10}, "the scoring model must be a classifier"},
			{"not a GAN", clfCfg, tfrun.EvaluateGANOptions{N: 10}, `task "classifier": not a GAN`},
			// tiny_gan.yaml is in a temporary directory, without mnist_classifier.yaml beside it
			{"no default classifier beside it", ganCfg, tfrun.EvaluateGANOptions{RunDir: ganRun, N: 10}, "mnist_classifier.yaml"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := tfrun.EvaluateGAN(context.Background(), tc.cfg, tc.o)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !tfrun.IsUserError(err) {
					t.Errorf("got %v; want a user error saying %q", err, tc.want)
				}
			})
		}
	})
}

// pixels are an image's bytes, to compare two grids.
func pixels(img image.Image) []byte {
	var b []byte
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			b = append(b, byte(cr>>8), byte(cg>>8), byte(cb>>8), byte(ca>>8))
		}
	}
	return b
}

// DefaultGANClassifier names the classifier config beside a GAN's config of a built-in
// data set, and none for a GAN of the program's own images.
func TestDefaultGANClassifier(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   string
		ok     bool
	}{
		{"gan_mnist.yaml", filepath.Join("configs", "mnist_classifier.yaml"), true},
		{"cgan_fashion.yaml", filepath.Join("configs", "fashion_classifier.yaml"), true},
		{"dcgan_cifar.yaml", filepath.Join("configs", "cifar_classifier.yaml"), true},
	} {
		t.Run(tc.config, func(t *testing.T) {
			cfg := loadConfig(t, "", tc.config, "")
			got, ok := tfrun.DefaultGANClassifier(cfg)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
			if _, err := os.Stat(got); err != nil {
				t.Errorf("the default classifier: %v", err)
			}
		})
	}
	own := &configs.Config{Task: configs.TaskGAN, File: "own.yaml", Data: configs.Data{Format: configs.FormatImageDirectory, Path: "faces"}}
	if got, ok := tfrun.DefaultGANClassifier(own); ok || got != "" {
		t.Errorf("a GAN of own images: got %q, %v; want none", got, ok)
	}
}

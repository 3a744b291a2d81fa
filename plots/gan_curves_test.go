package plots

import (
	"errors"
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestGANLossesWritesPNG(t *testing.T) {
	tests := []struct {
		name      string
		epochs    []int
		gen, disc []float64
		title     string
	}{
		{"both losses", nil, []float64{2, 1.5, 1.2}, []float64{0.6, 0.8, 1.0}, "DCGAN"},
		{"explicit epochs", []int{5, 10, 15}, []float64{2, 1.5, 1.2}, []float64{0.6, 0.8, 1.0}, ""},
		{"generator only", nil, []float64{2, 1.5}, nil, ""},
		{"discriminator only", nil, nil, []float64{0.7}, ""},
		{"no data", nil, nil, nil, "empty"},
		{"diverged", nil, []float64{1, math.NaN(), 3}, []float64{math.Inf(-1), 1, 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "gan.png")
			if err := GANLosses(path, tt.epochs, tt.gen, tt.disc, tt.title); err != nil {
				t.Fatalf("GANLosses: %v", err)
			}
			img := decodePNGFile(t, path)
			if got, want := img.Bounds().Size(), (image.Point{X: 768, Y: 432}); got != want {
				t.Errorf("size = %v, want %v", got, want)
			}
			checkOnlyFiles(t, dir, "gan.png")
		})
	}
}

func TestGANLossesErrors(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		epochs    []int
		gen, disc []float64
		want      string
	}{
		{"empty path", "", nil, []float64{1}, []float64{1}, "empty path"},
		{"losses disagree", "g.png", nil, []float64{1, 2}, []float64{1}, "discLoss has 1 values, want 2 (len(genLoss))"},
		{"epochs disagree", "g.png", []int{1, 2, 3}, []float64{1, 2}, nil, "genLoss has 2 values, want 3 (len(Epochs))"},
		{"zero-based epochs", "g.png", []int{0, 1}, []float64{1, 2}, []float64{1, 2}, "Epochs[0] = 0, want >= 1"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path != "" {
				path = filepath.Join(dir, path)
			}
			err := GANLosses(path, tt.epochs, tt.gen, tt.disc, "")
			if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("GANLosses error = %v, want ErrInvalidArgument containing %q", err, tt.want)
			}
		})
	}
	checkOnlyFiles(t, dir)
}

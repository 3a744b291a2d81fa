package plots

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteExampleImages writes sample figures for a human to look at when
// PLOTS_EXAMPLE_DIR names a directory:
//
//	PLOTS_EXAMPLE_DIR=/tmp go test ./plots/ -run ExampleImages
func TestWriteExampleImages(t *testing.T) {
	dir := os.Getenv("PLOTS_EXAMPLE_DIR")
	if dir == "" {
		t.Skip("PLOTS_EXAMPLE_DIR not set")
	}
	const epochs = 20
	h := History{Series: map[string][]float64{}}
	for e := range epochs {
		x := float64(e)
		h.Series[KeyAccuracy] = append(h.Series[KeyAccuracy], 0.98-0.5*math.Exp(-x/3))
		h.Series[KeyValAccuracy] = append(h.Series[KeyValAccuracy], 0.93-0.45*math.Exp(-x/3)-0.002*x)
		h.Series[KeyLoss] = append(h.Series[KeyLoss], 0.05+1.4*math.Exp(-x/3))
		h.Series[KeyValLoss] = append(h.Series[KeyValLoss], 0.2+1.2*math.Exp(-x/3)+0.01*x)
	}
	if err := LearningCurves(filepath.Join(dir, "plots_example.png"), h, "dropout = 0.2"); err != nil {
		t.Fatal(err)
	}

	var gen, disc []float64
	for e := range 50 {
		x := float64(e)
		gen = append(gen, 0.9+0.6*math.Exp(-x/10)+0.1*math.Sin(x))
		disc = append(disc, 1.3-0.2*math.Exp(-x/8)+0.08*math.Cos(x))
	}
	if err := GANLosses(filepath.Join(dir, "gan_example.png"), nil, gen, disc, "DCGAN on MNIST"); err != nil {
		t.Fatal(err)
	}

	// 16 synthetic 28×28 "digits": rings whose radius grows with k.
	const n, size = 16, 28
	var imgs []float32
	for k := range n {
		for y := range size {
			for x := range size {
				d := math.Hypot(float64(x)-13.5, float64(y)-13.5)
				v := float32(-1)
				if math.Abs(d-float64(3+k/2)) < 1.5 {
					v = 1
				}
				imgs = append(imgs, v)
			}
		}
	}
	grid, err := ImageGrid(imgs, n, size, size, 1, 4, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := SavePNG(filepath.Join(dir, "grid_example.png"), grid); err != nil {
		t.Fatal(err)
	}
}

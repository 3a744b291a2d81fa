package gan

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/plots"
	"github.com/tfrun/tfrun/runner"
)

// Load builds the GAN cfg describes and restores it from the latest checkpoint of the
// run directory runDir. It returns the GAN and the checkpoint's prefix.
func Load(cfg *configs.Config, runDir string, threads int) (*GAN, string, error) {
	if cfg.Task != configs.TaskGAN {
		return nil, "", fmt.Errorf("%s: task %q: not a GAN", cfg.File, cfg.Task)
	}
	m, err := NewGAN(cfg, GANOptions{Seed: uint64(cfg.Seed), Threads: threads})
	if err != nil {
		return nil, "", err
	}
	prefix, err := checkpoints.RestoreLatest(m.graph, m.sess, runner.CheckpointOptions(cfg, runDir))
	if err != nil {
		m.Close()
		return nil, "", err
	}
	return m, prefix, nil
}

// GenerateOptions say what to draw.
type GenerateOptions struct {
	N     int   // how many images
	Class int   // conditional GAN: the class to draw; < 0 draws every class, one row each
	Seed  int64 // the noise's seed
}

// GenerateGrid draws o.N images from the generator and lays them out as a grid: for a
// conditional GAN without a class, one row per class, o.N rounded up to fill the rows.
// It returns the grid and the number of images drawn.
func GenerateGrid(m *GAN, o GenerateOptions) (*image.RGBA, int, error) {
	gc := m.Config
	if err := o.Check(gc); err != nil {
		return nil, 0, err
	}
	rows, cols := gridFor(o.N)
	labels := make([]int32, o.N)
	if gc.Conditional() {
		if o.Class < 0 {
			rows = gc.NumClasses
			cols = (o.N + rows - 1) / rows
			labels = make([]int32, rows*cols)
			for i := range labels {
				labels[i] = int32(i / cols)
			}
		} else {
			for i := range labels {
				labels[i] = int32(o.Class)
			}
		}
	}
	n := len(labels)
	imgs, err := m.Generate(NormalNoise(n*gc.NoiseDim, o.Seed), labels)
	if err != nil {
		return nil, 0, err
	}
	shape := m.Generator.OutputShape()
	scale := 3
	if shape[0] >= 32 {
		scale = 2
	}
	grid, err := plots.ImageGrid(imgs, n, shape[0], shape[1], shape[2], rows, cols, scale)
	return grid, n, err
}

// gridFor picks a near-square grid for n images.
func gridFor(n int) (rows, cols int) {
	cols = int(math.Ceil(math.Sqrt(float64(n))))
	return (n + cols - 1) / cols, cols
}

// NormalNoise draws n standard normal values from seed.
func NormalNoise(n int, seed int64) []float32 {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6e6f697365))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}

// Check reports options the GAN cannot draw (before anything is built).
func (o GenerateOptions) Check(gc *configs.GAN) error {
	if o.N <= 0 {
		return fmt.Errorf("-n %d: want at least one image", o.N)
	}
	if o.Class < -1 {
		return fmt.Errorf("-class %d: give a class from 0 up, or leave it out for every class", o.Class)
	}
	if gc.Conditional() && o.Class >= gc.NumClasses {
		return fmt.Errorf("-class %d: the GAN knows classes 0 to %d", o.Class, gc.NumClasses-1)
	}
	if !gc.Conditional() && o.Class >= 0 {
		return fmt.Errorf("-class: this GAN is not conditional (gan.num_classes is 0)")
	}
	return nil
}

package runner

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/plots"
)

// LoadGAN builds the GAN cfg describes and restores it from the latest checkpoint of the
// run directory runDir. It returns the GAN and the checkpoint's prefix.
func LoadGAN(cfg *configs.Config, runDir string, threads int) (*GAN, string, error) {
	if cfg.Task != configs.TaskGAN {
		return nil, "", fmt.Errorf("%s: task %q: not a GAN", cfg.File, cfg.Task)
	}
	prefix, err := checkpoints.Latest(CheckpointDir(runDir))
	if err != nil {
		return nil, "", err
	}
	if prefix == "" {
		return nil, "", fmt.Errorf("%w in %s (train %s first)", ErrNoCheckpoint, CheckpointDir(runDir), cfg.File)
	}
	m, err := NewGAN(cfg, GANOptions{Seed: uint64(cfg.Seed), Threads: threads})
	if err != nil {
		return nil, "", err
	}
	ck, err := NewCheckpointer(m.Graph, m.sess, m.Variables(), CheckpointOptionsFor(cfg, Options{OutDir: runDir}))
	if err != nil {
		m.Close()
		return nil, "", err
	}
	if _, err := ck.Restore(prefix, nil); err != nil {
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
// conditional GAN without a class, one row per class.
func GenerateGrid(m *GAN, o GenerateOptions) (*image.RGBA, error) {
	gc := m.Config
	if o.N <= 0 {
		return nil, fmt.Errorf("-n %d: want at least one image", o.N)
	}
	if gc.Conditional() && o.Class >= gc.NumClasses {
		return nil, fmt.Errorf("-class %d: the GAN knows classes 0 to %d", o.Class, gc.NumClasses-1)
	}
	if !gc.Conditional() && o.Class >= 0 {
		return nil, fmt.Errorf("-class: this GAN is not conditional (gan.num_classes is 0)")
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
	imgs, err := m.Generate(normalNoise(n*gc.NoiseDim, o.Seed), labels)
	if err != nil {
		return nil, err
	}
	shape := m.Generator.OutputShape()
	scale := 3
	if shape[0] >= 32 {
		scale = 2
	}
	return plots.ImageGrid(imgs, n, shape[0], shape[1], shape[2], rows, cols, scale)
}

// gridFor picks a near-square grid for n images.
func gridFor(n int) (rows, cols int) {
	cols = int(math.Ceil(math.Sqrt(float64(n))))
	return (n + cols - 1) / cols, cols
}

// normalNoise draws n standard normal values from seed.
func normalNoise(n int, seed int64) []float32 {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6e6f697365))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}

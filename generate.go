package tfrun

import (
	"fmt"
	"image"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/gan"
	"github.com/tfrun/tfrun/plots"
)

// GenerateOptions are the options of Generate: tfrun generate's flags.
type GenerateOptions struct {
	// RunDir is the GAN's run directory (-run); "" is DefaultRunDir(cfg).
	RunDir string
	// N is how many images to draw (-n, tfrun's default 64); it must be at least 1. A
	// conditional GAN drawing every class rounds it up to fill one row per class.
	N int
	// Class, for a conditional GAN, is the class to draw (-class); nil draws every class,
	// one row each. An unconditional GAN takes none.
	Class *int
	// Seed seeds the noise (-seed, tfrun's default 1).
	Seed int64
	// Threads sizes TensorFlow's intra-op pool (-threads; 0: one per core).
	Threads int
}

// Generated is what Generate drew.
type Generated struct {
	// Grid is the images laid out as a grid (the PNG's picture).
	Grid image.Image
	// Images is the number of images drawn.
	Images int
	// Checkpoint is the prefix of the checkpoint whose generator drew them.
	Checkpoint string
}

// Generate draws images with the generator of a GAN's latest checkpoint, as tfrun
// generate does, and writes them as a grid to the PNG file path ("" writes no file). cfg
// is the GAN's config (configs.Load, task gan).
//
// A config that is not a GAN's, options the GAN cannot draw (N < 1, a class it does not
// know, a class for an unconditional GAN) or a run without a checkpoint are errors for
// which IsUserError is true; the options' errors name tfrun's flags (-n, -class).
func Generate(cfg *configs.Config, path string, o GenerateOptions) (*Generated, error) {
	if cfg == nil || cfg.GAN() == nil {
		return nil, userError(notGAN(cfg))
	}
	if o.RunDir == "" {
		o.RunDir = DefaultRunDir(cfg)
	}
	gopts := gan.GenerateOptions{N: o.N, Class: -1, Seed: o.Seed}
	if o.Class != nil {
		gopts.Class = *o.Class
	}
	if err := gopts.Check(cfg.GAN()); err != nil {
		return nil, userError(err)
	}
	m, prefix, err := gan.Load(cfg, o.RunDir, o.Threads)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	grid, drawn, err := gan.GenerateGrid(m, gopts)
	if err != nil {
		return nil, err
	}
	if path != "" {
		if err := plots.SavePNG(path, grid); err != nil {
			return nil, err
		}
	}
	return &Generated{Grid: grid, Images: drawn, Checkpoint: prefix}, nil
}

// notGAN is the error for a config that is not a GAN's.
func notGAN(cfg *configs.Config) error {
	if cfg == nil {
		return fmt.Errorf("no config: want a GAN's (task %s)", configs.TaskGAN)
	}
	return fmt.Errorf("%s: task %q: not a GAN", cfg.File, cfg.Task)
}

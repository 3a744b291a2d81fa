package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/gan"
)

// imageShapes are the [height, width, channels] of each image data set's images.
var imageShapes = map[string]builders.Shape{
	configs.DatasetMNIST:        {28, 28, 1},
	configs.DatasetFashionMNIST: {28, 28, 1},
	configs.DatasetCIFAR10:      {32, 32, 3},
}

// benchGAN times a DCGAN's training steps as RunGAN runs them (gather the batch, build its
// tensors, one GAN.TrainStep: noise drawn in the graph, both networks, both Adams), on
// warmup+steps batches of random images in [-1, 1], in order (Keras's side: the tutorial's
// train_step over an unshuffled tf.data batch stream).
func benchGAN(cfg *configs.Config, o options) (bench.Result, error) {
	if cfg.Task != configs.TaskGAN || cfg.GAN() == nil {
		return bench.Result{}, fmt.Errorf("%s: task %q: not a gan", cfg.File, cfg.Task)
	}
	if cfg.GAN().Conditional() {
		return bench.Result{}, fmt.Errorf("%s: gan.num_classes %d: only unconditional GANs are benchmarked", cfg.File, cfg.GAN().NumClasses)
	}
	shape, ok := imageShapes[cfg.Data.Dataset]
	if !ok {
		return bench.Result{}, fmt.Errorf("%s: data.dataset %q: not an image data set", cfg.File, cfg.Data.Dataset)
	}
	total := o.warmup + o.steps
	data := randomImages(total*o.batch, shape, uint64(o.seed))

	var clock stepClock
	clock.start()
	g, err := gan.NewGAN(cfg, gan.GANOptions{ImageShape: shape, Seed: uint64(o.seed), Threads: o.threads})
	if err != nil {
		return bench.Result{}, fmt.Errorf("%s: building the GAN: %w", cfg.File, err)
	}
	defer g.Close()
	idx := make([]int, o.batch)
	for step := range total {
		for i := range idx {
			idx[i] = step*o.batch + i
		}
		images, _, err := data.Batch(idx)
		if err != nil {
			return bench.Result{}, err
		}
		if _, err := g.TrainStep(images, nil); err != nil {
			return bench.Result{}, fmt.Errorf("step %d: %w", step+1, err)
		}
		clock.stepped()
	}
	r, err := bench.NewResult(o.model.Name, framework(), o.batch, o.warmup, clock.t0, clock.ends)
	if err != nil {
		return r, err
	}
	gen, _ := builders.CountParams(g.Generator.TrainableVariables())
	disc, _ := builders.CountParams(g.Discriminator.TrainableVariables())
	r.TrainableParams = gen + disc
	r.PeakRSSBytes = peakRSS() // before counting, which copies the graph
	flops, err := g.TrainStepFLOPs(o.batch)
	if err != nil {
		return r, fmt.Errorf("counting FLOPs: %w", err)
	}
	r.FLOPsPerStep = flops.Total
	return r, nil
}

// randomImages is n random images of the given shape, uniform in [-1, 1] (the range the
// tutorial scales MNIST to), labelled 0.
func randomImages(n int, shape builders.Shape, seed uint64) *gan.ImageData {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := &gan.ImageData{Images: make([]float32, n*shape[0]*shape[1]*shape[2]), Labels: make([]int32, n), Shape: shape}
	for i := range d.Images {
		d.Images[i] = float32(2*rng.Float64() - 1)
	}
	return d
}

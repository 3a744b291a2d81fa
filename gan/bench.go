package gan

import (
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"
	"github.com/tfrun/tfrun/runner"
)

// benchImageShapes are the [height, width, channels] of each image data set's images.
var benchImageShapes = map[string]builders.Shape{
	configs.DatasetMNIST:        {28, 28, 1},
	configs.DatasetFashionMNIST: {28, 28, 1},
	configs.DatasetCIFAR10:      {32, 32, 3},
}

// bench prepares tfrun-bench's benchmark of a DCGAN (runner.Kind.Bench): its training
// steps as Run runs them (gather the batch, build its tensors, one GAN.TrainStep: noise
// drawn in the graph, both networks, both Adams), on o.Steps batches of random images in
// [-1, 1], in order (Keras's side: the tutorial's train_step over an unshuffled tf.data
// batch stream).
func bench(cfg *configs.Config, o runner.BenchOptions) (func() (runner.Bench, error), error) {
	gc := cfg.GAN()
	if gc == nil {
		return nil, fmt.Errorf("%s: task %q: not a gan", cfg.File, cfg.Task)
	}
	if gc.Conditional() {
		return nil, fmt.Errorf("%s: gan.num_classes %d: only unconditional GANs are benchmarked", cfg.File, gc.NumClasses)
	}
	shape, ok := benchImageShapes[cfg.Data.Dataset]
	if !ok {
		return nil, fmt.Errorf("%s: data.dataset %q: not an image data set", cfg.File, cfg.Data.Dataset)
	}
	data := benchImages(o.Steps*o.Batch, shape, uint64(o.Seed))
	return func() (runner.Bench, error) {
		tuner, err := autotune.New(autotune.Options{FromEnv: true, Batch: o.Batch, Warn: os.Stderr,
			Session: graphs.SessionOptions{IntraOpThreads: o.Threads, InterOpThreads: min(o.Threads, 2)}})
		if err != nil {
			return nil, err
		}
		g, err := NewGAN(cfg, GANOptions{ImageShape: shape, Seed: uint64(o.Seed), Threads: o.Threads, Autotune: tuner.Graph()})
		if err != nil {
			return nil, fmt.Errorf("%s: building the GAN: %w", cfg.File, err)
		}
		if err := tuner.Finish(""); err != nil {
			return nil, err
		}
		return &benchModel{g: g, data: data, batch: o.Batch, idx: make([]int, o.Batch)}, nil
	}, nil
}

// benchModel is a GAN with its benchmark's batches.
type benchModel struct {
	g     *GAN
	data  *ImageData
	batch int
	idx   []int
}

func (b *benchModel) Step(step int) error {
	for i := range b.idx {
		b.idx[i] = step*b.batch + i
	}
	images, _, err := b.data.Batch(b.idx)
	if err != nil {
		return err
	}
	_, err = b.g.TrainStep(images, nil)
	return err
}

// TrainableParams counts both networks'.
func (b *benchModel) TrainableParams() int {
	gen, _ := builders.CountParams(b.g.Generator.TrainableVariables())
	disc, _ := builders.CountParams(b.g.Discriminator.TrainableVariables())
	return gen + disc
}

func (b *benchModel) StepFLOPs() (int64, error) {
	f, err := b.g.TrainStepFLOPs(b.batch)
	return f.Total, err
}

// Session is the GAN's session (runner.ProfiledBench).
func (b *benchModel) Session() *graphs.Session { return b.g.Session() }

// StepFLOPsByOp is StepFLOPs op by op (runner.ProfiledBench).
func (b *benchModel) StepFLOPsByOp() (graphs.FLOPs, error) {
	return b.g.TrainStepFLOPs(b.batch)
}

func (b *benchModel) Close() error { return b.g.Close() }

// benchImages is n random images of the given shape, uniform in [-1, 1] (the range the
// tutorial scales MNIST to), labelled 0.
func benchImages(n int, shape builders.Shape, seed uint64) *ImageData {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := &ImageData{Images: make([]float32, n*shape[0]*shape[1]*shape[2]), Labels: make([]int32, n), Shape: shape}
	for i := range d.Images {
		d.Images[i] = float32(2*rng.Float64() - 1)
	}
	return d
}

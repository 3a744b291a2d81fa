package gan

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/plots"
	"github.com/tfrun/tfrun/runner"
)

// ImageData is a set of images scaled to [-1, 1] (NHWC) with their class labels.
type ImageData struct {
	Images []float32
	Labels []int32
	Shape  builders.Shape // [height, width, channels]
	// Source is the file or folder a built-in data set was read from (the path
	// datasets.Locate found), for the run's log; "" for an image_directory.
	Source string

	stream *datasets.ImageStream // set: the images are read from disk (image_directory.go)
}

// Len is the number of images.
func (d *ImageData) Len() int { return len(d.Labels) }

func (d *ImageData) size() int { return d.Shape[0] * d.Shape[1] * d.Shape[2] }

// Batch builds the image and label tensors of the images at idx, as each training step
// does.
func (d *ImageData) Batch(idx []int) (images, labels *tf.Tensor, err error) {
	if d.stream != nil {
		return d.streamBatch(idx)
	}
	n := d.size()
	imgs := make([]float32, len(idx)*n)
	ls := make([]int32, len(idx))
	for k, i := range idx {
		copy(imgs[k*n:(k+1)*n], d.Images[i*n:(i+1)*n])
		ls[k] = d.Labels[i]
	}
	it, err := graphs.NewTensor(imgs, int64(len(idx)), int64(d.Shape[0]), int64(d.Shape[1]), int64(d.Shape[2]))
	if err != nil {
		return nil, nil, err
	}
	lt, err := graphs.NewTensor(ls, int64(len(idx)), 1)
	return it, lt, err
}

// loadImages loads a data set's training images scaled to [-1, 1], as the assignment does
// ((x − 127.5)/127.5). limit > 0 keeps the first limit images.
func loadImages(dataset, dataDir string, limit int) (*ImageData, error) {
	s, err := datasets.LoadScaledImages(dataset, dataDir, false, limit)
	if err != nil {
		return nil, err
	}
	return &ImageData{Images: s.Pixels, Labels: s.Labels, Shape: builders.Shape{s.Height, s.Width, s.Channels}, Source: s.Source}, nil
}

// sampleInputs is the fixed noise (and labels) the per-epoch grids are drawn from: a
// rows×cols grid, one row per class for a conditional GAN.
func sampleInputs(gc *configs.GAN, seed int64) (noise []float32, labels []int32, rows, cols int) {
	rows, cols = gc.SampleGrid[0], gc.SampleGrid[1]
	if gc.Conditional() {
		rows = gc.NumClasses
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	noise = make([]float32, rows*cols*gc.NoiseDim)
	for i := range noise {
		noise[i] = float32(rng.NormFloat64())
	}
	labels = make([]int32, rows*cols)
	for i := range labels {
		labels[i] = int32(i / cols)
	}
	return noise, labels, rows, cols
}

// Run trains the GAN cfg describes with runner's loop and writes the run directory:
// summary.txt, samples/epoch_NNNN.png (a grid from fixed noise, every epoch), samples.gif,
// losses.png, history.json, history.csv, the callbacks' files and checkpoints/ (o.Resume
// continues from the latest exactly).
func Run(ctx context.Context, cfg *configs.Config, o runner.Options) error {
	if cfg.Task != configs.TaskGAN {
		return fmt.Errorf("%s: task %q: not a GAN", cfg.File, cfg.Task)
	}
	gc := cfg.GAN()
	r, err := runner.Begin(cfg, o, runner.Schedule{Epochs: gc.Epochs, BatchSize: gc.BatchSize, BatchSizeKey: "gan.batch_size",
		Shuffle: true, Callbacks: cfg.Adversarial().Train.Callbacks, Distributed: true})
	if err != nil {
		return err
	}
	defer r.Close()
	out := r.Out
	chief := o.Cluster == nil || o.Cluster.IsChief() // only the chief writes the run's files
	samples := filepath.Join(o.OutDir, "samples")
	if chief {
		if err := os.MkdirAll(samples, 0o755); err != nil {
			return fmt.Errorf("run directory: %w", err)
		}
	}
	t0 := time.Now()
	data, err := loadData(ctx, cfg, o.DataDir, o.Limit, r.Seed)
	if err != nil {
		return err
	}
	defer data.Close()
	name := cfg.Data.Name()
	if data.Source != "" {
		name += " from " + data.Source // which copy of the data set: Locate searches several places
	}
	fmt.Fprintf(out, "Loaded %s: %d training images %v in %.1fs\n", name, data.Len(), data.Shape, time.Since(t0).Seconds())
	gopts := GANOptions{ImageShape: data.Shape, Seed: uint64(r.Seed), Threads: o.Threads}
	tuner, err := newTuner(r, o, gc.BatchSize)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.File, err)
	}
	gopts.Autotune = tuner.Graph()
	m, err := startGAN(ctx, cfg, o, gopts)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := tuner.Finish(runDirIf(chief, o.OutDir)); err != nil {
		return err
	}
	summary := m.Generator.Summary() + m.Discriminator.Summary()
	fmt.Fprint(out, summary)
	if chief {
		if err := runner.WriteFile(filepath.Join(o.OutDir, "summary.txt"), []byte(summary)); err != nil {
			return err
		}
		// Each network's picture, as plot_model draws it: generator.svg/.dot, discriminator.svg/.dot.
		for name, net := range map[string]*Network{"generator": m.Generator, "discriminator": m.Discriminator} {
			for _, ext := range []string{".svg", ".dot"} {
				if err := plots.WriteModelGraph(filepath.Join(o.OutDir, name+ext), builders.PlotGraph(net.Model)); err != nil {
					return err
				}
			}
		}
	}
	t := &training{GAN: m, data: data}
	t.noise, t.labels, t.rows, t.cols = sampleInputs(gc, r.Seed)
	h, err := r.Fit(ctx, t, runner.FitSpec{Examples: data.Len(), Report: func(h *runner.History) error {
		if err := h.WriteFiles(o.OutDir); err != nil {
			return err
		}
		if t.grid != nil {
			path := filepath.Join(samples, fmt.Sprintf("epoch_%04d.png", h.Epochs[len(h.Epochs)-1]))
			if err := plots.SavePNG(path, t.grid); err != nil {
				return err
			}
			t.grid = nil
		}
		return plots.GANLosses(filepath.Join(o.OutDir, "losses.png"), h.Epochs, h.Metrics["gen_loss"], h.Metrics["disc_loss"], cfg.Name)
	}})
	if err != nil {
		return err
	}
	if !chief {
		return nil
	}
	var grids []string
	for _, e := range h.Epochs {
		grids = append(grids, filepath.Join(samples, fmt.Sprintf("epoch_%04d.png", e)))
	}
	frames, err := plots.LoadPNGs(grids)
	if err == nil {
		err = plots.AnimatedGIF(filepath.Join(o.OutDir, "samples.gif"), frames, 50)
	}
	if err != nil {
		fmt.Fprintf(out, "warning: samples.gif: %v\n", err)
	}
	fmt.Fprintf(out, "Samples: %s\n", samples)
	return nil
}

// startGAN builds the GAN; on a cluster (o.Cluster) it first starts this task's
// TensorFlow server, builds the GAN as a replica on it and waits until every other task
// serves.
func startGAN(ctx context.Context, cfg *configs.Config, o runner.Options, gopts GANOptions) (*GAN, error) {
	if o.Cluster != nil {
		srv, err := distributed.StartServer(o.Cluster, o.Threads, o.Out)
		if err != nil {
			return nil, err
		}
		gopts.Server, gopts.CollectiveTimeout = srv, o.CollectiveTimeout
	}
	m, err := NewGAN(cfg, gopts)
	if err != nil {
		return nil, fmt.Errorf("%s: building the GAN: %w", cfg.File, err)
	}
	if o.Cluster == nil {
		return m, nil
	}
	if err := o.Cluster.WaitForPeers(ctx); err != nil { // bounded by the cluster's StartupTimeout
		m.Close()
		return nil, err
	}
	return m, nil
}

// training is a GAN bound to its images: the runner.Model of a GAN run.
type training struct {
	*GAN
	data *ImageData
	// The fixed inputs of each epoch's sample grid, and the grid of the epoch just ended.
	noise      []float32
	labels     []int32
	rows, cols int
	grid       *image.RGBA
}

// TrainStep runs one train step on the images at idx (a replica: on its slice of them).
func (t *training) TrainStep(idx []int) (runner.Logs, error) {
	feeds := map[tf.Output]*tf.Tensor{}
	if t.rep != nil {
		var err error
		if idx, feeds, err = t.rep.Step(t.graph, idx); err != nil {
			return nil, err
		}
	}
	it, lt, err := t.data.Batch(idx)
	if err != nil {
		return nil, err
	}
	if !t.Config.Conditional() {
		lt = nil
	}
	r, err := t.trainStep(feeds, it, lt)
	if err != nil {
		return nil, err
	}
	return runner.Logs{"gen_loss": r.GenLoss, "disc_loss": r.DiscLoss, "real_accuracy": r.RealAccuracy, "fake_accuracy": r.FakeAccuracy}, nil
}

// EndEpoch draws the epoch's sample grid and reports both learning rates.
func (t *training) EndEpoch() (runner.Logs, error) {
	imgs, err := t.Generate(t.noise, t.labels)
	if err != nil {
		return nil, err
	}
	shape := t.Generator.OutputShape()
	scale := 3
	if shape[0] >= 32 {
		scale = 2
	}
	if t.grid, err = plots.ImageGrid(imgs, t.rows*t.cols, shape[0], shape[1], shape[2], t.rows, t.cols, scale); err != nil {
		return nil, err
	}
	lrs, err := t.learningRates()
	if err != nil {
		return nil, err
	}
	return runner.Logs(lrs), nil
}

// Images is the epoch's sample grid, for TensorBoard.
func (t *training) Images() map[string]image.Image {
	if t.grid == nil {
		return nil
	}
	return map[string]image.Image{"samples": t.grid}
}

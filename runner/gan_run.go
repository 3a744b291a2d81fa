package runner

import (
	"context"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/plots"
)

// ImageData is a set of images scaled to [-1, 1] (NHWC) with their class labels.
type ImageData struct {
	Images []float32
	Labels []int32
	Shape  builders.Shape // [height, width, channels]
}

// Len is the number of images.
func (d *ImageData) Len() int { return len(d.Labels) }

func (d *ImageData) size() int { return d.Shape[0] * d.Shape[1] * d.Shape[2] }

// batch builds the image and label tensors of the images at idx.
func (d *ImageData) batch(idx []int) (*tf.Tensor, *tf.Tensor, error) {
	n := d.size()
	imgs := make([]float32, len(idx)*n)
	labels := make([]int32, len(idx))
	for k, i := range idx {
		copy(imgs[k*n:(k+1)*n], d.Images[i*n:(i+1)*n])
		labels[k] = d.Labels[i]
	}
	it, err := graphs.NewTensor(imgs, int64(len(idx)), int64(d.Shape[0]), int64(d.Shape[1]), int64(d.Shape[2]))
	if err != nil {
		return nil, nil, err
	}
	lt, err := graphs.NewTensor(labels, int64(len(idx)), 1)
	return it, lt, err
}

// loadImages loads a data set's training (or test) images scaled to [-1, 1], as the
// assignment does ((x − 127.5)/127.5). limit > 0 keeps the first limit images.
func loadImages(dataset, dataDir string, test bool, limit int) (*ImageData, error) {
	var set *datasets.ImageSet
	path, err := datasets.Locate(dataset, dataDir)
	if err != nil {
		return nil, err
	}
	switch dataset {
	case configs.DatasetMNIST, configs.DatasetFashionMNIST:
		set, err = datasets.LoadMNIST(path)
	case configs.DatasetCIFAR10:
		set, err = datasets.LoadCIFAR10(path)
	default:
		return nil, fmt.Errorf("data set %q has no images", dataset)
	}
	if err != nil {
		return nil, err
	}
	raw, labels, n := set.TrainImages, set.TrainLabels, set.NumTrain
	if test {
		raw, labels, n = set.TestImages, set.TestLabels, set.NumTest
	}
	if limit > 0 && limit < n {
		n = limit
	}
	size := set.ImageSize()
	d := &ImageData{Images: datasets.ScaleToTanh(raw[:n*size]), Labels: make([]int32, n),
		Shape: builders.Shape{set.Height, set.Width, set.Channels}}
	for i := range d.Labels {
		d.Labels[i] = int32(labels[i])
	}
	return d, nil
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

// ganState is the training state of a GAN run a checkpoint keeps beside the tensors.
type ganState struct {
	Seed      int64        `json:"seed"`
	Limit     int          `json:"limit"`
	BatchSize int          `json:"batch_size"`
	Epochs    int          `json:"epochs"`
	Epoch     int          `json:"epoch"` // 0-based epoch in progress (epochs done when Batch is 0)
	Batch     int          `json:"batch"` // batches of Epoch done
	Sums      ganSums      `json:"sums"`  // the partial epoch's running sums
	History   historyState `json:"history"`
}

// ganSums are an epoch's running sums, each metric weighted by batch size.
type ganSums struct {
	GenLoss, DiscLoss, RealAccuracy, FakeAccuracy float64
	Seen                                          int
	Seconds                                       float64
}

func (s *ganSums) add(r StepResult, n int) {
	w := float64(n)
	s.GenLoss += w * r.GenLoss
	s.DiscLoss += w * r.DiscLoss
	s.RealAccuracy += w * r.RealAccuracy
	s.FakeAccuracy += w * r.FakeAccuracy
	s.Seen += n
}

// RunGAN trains the GAN cfg describes and writes the run directory: summary.txt,
// samples/epoch_NNNN.png (a grid from fixed noise, every epoch), samples.gif, losses.png,
// history.json, history.csv and checkpoints/ (every checkpoint.every epochs, at the end
// and when interrupted; o.Resume continues from the latest exactly).
func RunGAN(ctx context.Context, cfg *configs.Config, o Options) error {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	gc := cfg.GAN
	seed := cfg.Seed
	if o.Seed != nil {
		seed = *o.Seed
	}
	epochs := gc.Epochs
	if o.Epochs > 0 {
		epochs = o.Epochs
	}
	if err := os.MkdirAll(filepath.Join(o.OutDir, "samples"), 0o755); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	info, unlock, err := PrepareCheckpoints(cfg, o)
	if err != nil {
		return err
	}
	defer unlock()
	st := ganState{Seed: seed, Limit: o.Limit, BatchSize: gc.BatchSize, Epochs: epochs}
	if info != nil {
		if err := decodeState(info.Prefix, info.State, &st); err != nil {
			return err
		}
		saved := savedRun{Seed: st.Seed, Limit: st.Limit, MidEpoch: st.Batch > 0, BatchSize: st.BatchSize}
		if err := saved.checkResumable(o, "gan.batch_size", gc.BatchSize); err != nil {
			return fmt.Errorf("-resume from %s: %w", info.Prefix, err)
		}
		seed, st.Epochs = st.Seed, epochs
	}
	t0 := time.Now()
	data, err := loadImages(cfg.Data.Dataset, o.DataDir, false, o.Limit)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Loaded %s: %d training images %v in %.1fs\n", cfg.Data.Dataset, data.Len(), data.Shape, time.Since(t0).Seconds())
	m, err := NewGAN(cfg, GANOptions{ImageShape: data.Shape, Seed: uint64(seed), Threads: o.Threads})
	if err != nil {
		return fmt.Errorf("%s: building the GAN: %w", cfg.File, err)
	}
	defer m.Close()
	summary := m.Generator.Summary() + m.Discriminator.Summary()
	fmt.Fprint(out, summary)
	if err := writeFileAtomic(filepath.Join(o.OutDir, "summary.txt"), []byte(summary)); err != nil {
		return err
	}
	ck, err := NewCheckpointer(m.Graph, m.sess, m.Variables(), CheckpointOptionsFor(cfg, o))
	if err != nil {
		return err
	}
	h := &History{}
	if info != nil {
		if _, err := ck.Restore(info.Prefix, nil); err != nil {
			return err
		}
		h = st.History.history()
		fmt.Fprintf(out, "Resumed from %s: epoch %d, step %d (global step %d)\n", info.Prefix, st.Epoch+1, st.Batch, info.Step)
	}
	save := func() (string, error) {
		step, err := stepOf(m.sess, m.Graph)
		if err != nil {
			return "", err
		}
		st.History = newHistoryState(h)
		return ck.Save(step, st)
	}
	noise, labels, rows, cols := sampleInputs(gc, seed)
	n := data.Len()
	steps := (n + gc.BatchSize - 1) / gc.BatchSize
	every := max(cfg.Checkpoint.Every, 1)
	for ; st.Epoch < epochs; st.Epoch++ {
		start := time.Now()
		order := datasets.Shuffle(n, seed+int64(st.Epoch))
		bar := progressbar.NewOptions(steps, progressbar.OptionSetWriter(out), progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(20), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(500*time.Millisecond), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription(fmt.Sprintf("Epoch %d/%d", st.Epoch+1, epochs)))
		bar.Set(st.Batch)
		for ; st.Batch < steps; st.Batch++ {
			if err := ctx.Err(); err != nil {
				bar.Exit()
				if step, _ := stepOf(m.sess, m.Graph); step == 0 {
					return fmt.Errorf("%w before the first step (nothing to save)", ErrInterrupted)
				}
				st.Sums.Seconds += time.Since(start).Seconds()
				prefix, serr := save()
				if serr != nil {
					return fmt.Errorf("%w at epoch %d, step %d; saving a checkpoint failed: %v", ErrInterrupted, st.Epoch+1, st.Batch, serr)
				}
				fmt.Fprintf(out, "\nInterrupted at epoch %d/%d, step %d/%d: checkpoint %s holds the run up to here; continue it with -resume.\n",
					st.Epoch+1, epochs, st.Batch, steps, prefix)
				return fmt.Errorf("%w at epoch %d, step %d (saved %s)", ErrInterrupted, st.Epoch+1, st.Batch, prefix)
			}
			b := st.Batch
			idx := order[b*gc.BatchSize : min((b+1)*gc.BatchSize, n)]
			it, lt, err := data.batch(idx)
			if err != nil {
				return err
			}
			r, err := m.TrainStep(it, lt)
			if err != nil {
				return err
			}
			if !finite(r.GenLoss) || !finite(r.DiscLoss) {
				bar.Exit()
				msg := fmt.Sprintf("epoch %d, step %d: generator loss %v, discriminator loss %v; training stopped (TerminateOnNaN)", st.Epoch+1, b+1, r.GenLoss, r.DiscLoss)
				if prefix, _ := ck.Last(); prefix != "" {
					return fmt.Errorf("%s; the last good checkpoint, %s, is kept", msg, prefix)
				}
				return fmt.Errorf("%s", msg)
			}
			st.Sums.add(r, len(idx))
			bar.Add(1)
		}
		bar.Finish()
		sum := st.Sums
		secs := sum.Seconds + time.Since(start).Seconds()
		seen := float64(sum.Seen)
		logs := Logs{"gen_loss": sum.GenLoss / seen, "disc_loss": sum.DiscLoss / seen,
			"real_accuracy": sum.RealAccuracy / seen, "fake_accuracy": sum.FakeAccuracy / seen, "seconds": secs}
		fmt.Fprintf(out, "Epoch %d/%d - %.0fs - gen_loss: %.4f - disc_loss: %.4f - real_accuracy: %.4f - fake_accuracy: %.4f\n",
			st.Epoch+1, epochs, secs, logs["gen_loss"], logs["disc_loss"], logs["real_accuracy"], logs["fake_accuracy"])
		h.Append(st.Epoch+1, logs)
		st.Batch, st.Sums = 0, ganSums{}
		// The checkpoint first: the grids and curves are reports, the checkpoint is the work.
		if done := st.Epoch + 1; done%every == 0 || done == epochs {
			st.Epoch++ // the state of a checkpoint at an epoch boundary counts the epoch done
			prefix, err := save()
			st.Epoch--
			if err != nil {
				return fmt.Errorf("epoch %d: %w", done, err)
			}
			fmt.Fprintf(out, "Epoch %d: saved checkpoint %s\n", done, prefix)
		}
		grid := filepath.Join(o.OutDir, "samples", fmt.Sprintf("epoch_%04d.png", st.Epoch+1))
		if err := saveGrid(m, grid, noise, labels, data.Shape, rows, cols); err != nil {
			fmt.Fprintf(out, "warning: epoch %d: %v (training goes on)\n", st.Epoch+1, err)
		}
		if err := writeGANHistory(o.OutDir, h, cfg.Name); err != nil {
			fmt.Fprintf(out, "warning: epoch %d: %v (training goes on)\n", st.Epoch+1, err)
		}
	}
	var grids []string
	for _, e := range h.Epochs {
		grids = append(grids, filepath.Join(o.OutDir, "samples", fmt.Sprintf("epoch_%04d.png", e)))
	}
	frames, err := plots.LoadPNGs(grids)
	if err == nil {
		err = plots.AnimatedGIF(filepath.Join(o.OutDir, "samples.gif"), frames, 50)
	}
	if err != nil {
		fmt.Fprintf(out, "warning: samples.gif: %v\n", err)
	}
	fmt.Fprintf(out, "Samples: %s\n", filepath.Join(o.OutDir, "samples"))
	return nil
}

func finite(x float64) bool { return x == x && x < 1e300 && x > -1e300 }

// saveGrid draws the generator's images for the fixed inputs as a rows×cols grid PNG.
func saveGrid(m *GAN, path string, noise []float32, labels []int32, shape builders.Shape, rows, cols int) error {
	imgs, err := m.Generate(noise, labels)
	if err != nil {
		return err
	}
	scale := 3
	if shape[0] >= 32 {
		scale = 2
	}
	grid, err := plots.ImageGrid(imgs, rows*cols, shape[0], shape[1], shape[2], rows, cols, scale)
	if err != nil {
		return err
	}
	return plots.SavePNG(path, image.Image(grid))
}

// writeGANHistory writes history.json, history.csv and losses.png.
func writeGANHistory(dir string, h *History, name string) error {
	if err := h.WriteJSON(filepath.Join(dir, "history.json")); err != nil {
		return err
	}
	if err := h.WriteCSV(filepath.Join(dir, "history.csv")); err != nil {
		return err
	}
	return plots.GANLosses(filepath.Join(dir, "losses.png"), h.Epochs, h.Metrics["gen_loss"], h.Metrics["disc_loss"], name)
}

// loadImageDatasets loads an image data set's training and test splits as classifier
// data sets: pixels scaled to [-1, 1] (as the GANs' images, so a classifier's features
// of real and generated images compare), labels the class index.
func loadImageDatasets(dataset, dataDir string, limit int) (train, test *Dataset, err error) {
	conv := func(d *ImageData) *Dataset {
		labels := make([]float32, d.Len())
		for i, l := range d.Labels {
			labels[i] = float32(l)
		}
		return &Dataset{Floats: d.Images, Shape: d.Shape, Labels: labels}
	}
	tr, err := loadImages(dataset, dataDir, false, limit)
	if err != nil {
		return nil, nil, err
	}
	te, err := loadImages(dataset, dataDir, true, limit)
	if err != nil {
		return nil, nil, err
	}
	return conv(tr), conv(te), nil
}

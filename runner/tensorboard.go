package runner

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/tensorboard"
)

// TensorBoard is Keras's callback of that name: it writes event files TensorBoard reads,
// in Keras's layout, <run dir>/<LogDir>/train/ and .../validation/:
//   - per epoch, at step epoch−1 (Keras's 0-based epoch): epoch_<metric> for each training
//     metric and learning rate in train/, and for each val_<metric> in validation/, where
//     evaluation_<metric>_vs_iterations also goes, at the global step (as Keras's
//     on_test_end writes it);
//   - with UpdateFreq N > 0, every N batches: batch_<metric> (the epoch's running values)
//     in train/ at the global step;
//   - with HistogramFreq N > 0, every N epochs: a histogram of each weight,
//     <variable>/histogram;
//   - with WriteGraph, the training graph (the Graphs tab);
//   - the model's images of each epoch (a GAN's sample grid, tag "samples").
//
// A resumed run goes on in the same directories: it first removes the points an
// interrupted run wrote after its checkpoint (tensorboard.Trim), so no step appears twice.
type TensorBoard struct {
	NopCallback
	LogDir        string
	HistogramFreq int
	WriteGraph    bool
	UpdateFreq    int // 0: per epoch only

	dir        string
	train, val *tensorboard.Writer
}

func (c *TensorBoard) Name() string { return "TensorBoard" }

func (c *TensorBoard) OnTrainBegin(t Trainer) error {
	c.dir = filepath.Join(t.RunDir(), c.LogDir)
	step, err := t.GlobalStep()
	if err != nil {
		return err
	}
	if step > 0 { // a resumed run: drop what was written after the checkpoint
		done := int64(t.Position().Epoch) // epoch-level points are at steps 0..done-1
		keep := func(tag string, s int64) bool {
			if strings.HasPrefix(tag, "batch_") || strings.HasPrefix(tag, "evaluation_") {
				return s <= step
			}
			return s < done
		}
		for _, sub := range []string{"train", "validation"} {
			if err := tensorboard.Trim(filepath.Join(c.dir, sub), keep); err != nil {
				return err
			}
		}
	}
	if c.train, err = tensorboard.NewWriter(filepath.Join(c.dir, "train")); err != nil {
		return err
	}
	if c.WriteGraph && step == 0 {
		def, err := t.GraphDef()
		if err != nil {
			return err
		}
		if err := c.train.Graph(def); err != nil {
			return err
		}
	}
	return nil
}

func (c *TensorBoard) OnBatchEnd(_ Trainer, step int64, logs Logs) error {
	if c.UpdateFreq <= 0 || step%int64(c.UpdateFreq) != 0 {
		return nil
	}
	for _, k := range orderedKeys(logs) {
		if err := c.train.Scalar("batch_"+k, step, logs[k]); err != nil {
			return err
		}
	}
	return nil
}

func (c *TensorBoard) OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error) {
	step := int64(epoch)
	iterations, err := t.GlobalStep()
	if err != nil {
		return nil, err
	}
	for _, k := range orderedKeys(logs) {
		if name, ok := strings.CutPrefix(k, "val_"); ok {
			if c.val == nil {
				w, err := tensorboard.NewWriter(filepath.Join(c.dir, "validation"))
				if err != nil {
					return nil, err
				}
				c.val = w
			}
			if err := c.val.Scalar("epoch_"+name, step, logs[k]); err != nil {
				return nil, err
			}
			if err := c.val.Scalar("evaluation_"+name+"_vs_iterations", iterations, logs[k]); err != nil {
				return nil, err
			}
			continue
		}
		if err := c.train.Scalar("epoch_"+k, step, logs[k]); err != nil {
			return nil, err
		}
	}
	if c.HistogramFreq > 0 && epoch%c.HistogramFreq == 0 {
		if err := c.histograms(t, step); err != nil {
			return nil, err
		}
	}
	for name, img := range t.Images() {
		if err := c.train.Image(name, step, img); err != nil {
			return nil, err
		}
	}
	for _, w := range []*tensorboard.Writer{c.train, c.val} {
		if w != nil {
			if err := w.Flush(); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

// histograms writes a histogram of every weight.
func (c *TensorBoard) histograms(t Trainer, step int64) error {
	ws, err := t.Weights()
	if err != nil {
		return err
	}
	for i, v := range t.WeightVariables() {
		if err := c.train.Histogram(v.Name+"/histogram", step, graphs.Float64s(ws[i])); err != nil {
			return fmt.Errorf("histogram of %s: %w", v.Name, err)
		}
	}
	return nil
}

func (c *TensorBoard) OnTrainEnd(Trainer) error { return c.Close() }

// Close flushes and closes the event files (also when training was interrupted).
func (c *TensorBoard) Close() error {
	var err error
	for _, w := range []*tensorboard.Writer{c.train, c.val} {
		if w != nil {
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
	}
	c.train, c.val = nil, nil
	return err
}

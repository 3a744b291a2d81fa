package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/tfrun/tfrun/datasets"
)

// ErrInterrupted reports that the context was cancelled (Ctrl-C) and training stopped
// after the step in flight.
var ErrInterrupted = errors.New("training interrupted")

// FitOptions are Model.fit's arguments.
type FitOptions struct {
	Epochs       int
	InitialEpoch int // epochs already done (resume)
	BatchSize    int
	Shuffle      bool
	Seed         int64
	Validation   *Dataset // nil: no validation
	Callbacks    []Callback
	Out          io.Writer // progress and epoch lines; nil: silent
	// AfterEpoch runs after each epoch's callbacks (checkpoints); its error stops training.
	AfterEpoch func(epoch int, logs Logs) error
}

// Fit trains c on train as Keras's Model.fit does: per epoch, a (seeded) shuffle, batches
// in order (the last one partial), the running mean of loss and accuracy weighted by batch
// size, then validation in inference mode, the callbacks, and one line of logs.
func (c *Classifier) Fit(ctx context.Context, train *Dataset, o FitOptions, h *History) error {
	n := train.Len()
	if n == 0 {
		return fmt.Errorf("fit: no training examples")
	}
	if o.BatchSize <= 0 {
		return fmt.Errorf("fit: batch_size %d", o.BatchSize)
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	for _, cb := range o.Callbacks {
		if err := cb.OnTrainBegin(c); err != nil {
			return fmt.Errorf("callback %s: %w", cb.Name(), err)
		}
	}
	c.log = out
	steps := (n + o.BatchSize - 1) / o.BatchSize
	c.stop = false
	for epoch := o.InitialEpoch; epoch < o.Epochs && !c.stop; epoch++ {
		fmt.Fprintf(out, "Epoch %d/%d\n", epoch+1, o.Epochs)
		start := time.Now()
		order := make([]int, n)
		if o.Shuffle {
			order = datasets.Shuffle(n, o.Seed+int64(epoch))
		} else {
			for i := range order {
				order[i] = i
			}
		}
		bar := progressbar.NewOptions(steps,
			progressbar.OptionSetWriter(out),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(20),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		var sumLoss, sumAcc float64
		seen := 0
		for b := 0; b < steps; b++ {
			if err := ctx.Err(); err != nil {
				bar.Exit()
				return fmt.Errorf("%w at epoch %d, step %d", ErrInterrupted, epoch+1, b)
			}
			idx := order[b*o.BatchSize : min((b+1)*o.BatchSize, n)]
			x, y, err := train.batch(idx)
			if err != nil {
				return err
			}
			loss, acc, err := c.TrainBatch(x, y)
			if err != nil {
				return err
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				bar.Exit()
				return fmt.Errorf("epoch %d, batch %d: loss is %v; training stopped (TerminateOnNaN)", epoch+1, b+1, loss)
			}
			w := float64(len(idx))
			sumLoss += w * loss
			sumAcc += w * acc
			seen += len(idx)
			bar.Describe(fmt.Sprintf("accuracy: %.4f - loss: %.4f", sumAcc/float64(seen), sumLoss/float64(seen)))
			bar.Add(1)
		}
		bar.Finish()
		logs := Logs{"loss": sumLoss / float64(seen), "accuracy": sumAcc / float64(seen)}
		if o.Validation != nil {
			vl, va, err := c.Evaluate(o.Validation, o.BatchSize)
			if err != nil {
				return err
			}
			logs["val_loss"], logs["val_accuracy"] = vl, va
		}
		lr, err := c.LearningRate()
		if err != nil {
			return err
		}
		logs["learning_rate"] = lr
		secs := time.Since(start).Seconds()
		fmt.Fprintf(out, "%d/%d - %.0fs - %.0fms/step - %s\n", steps, steps, secs, 1000*secs/float64(steps), formatLogs(logs))
		var msgs []string
		for _, cb := range o.Callbacks {
			m, err := cb.OnEpochEnd(c, epoch, logs)
			if err != nil {
				return fmt.Errorf("callback %s: %w", cb.Name(), err)
			}
			msgs = append(msgs, m...)
		}
		logs["seconds"] = secs
		h.Append(epoch+1, logs)
		for _, m := range msgs {
			fmt.Fprintln(out, m)
		}
		if o.AfterEpoch != nil {
			if err := o.AfterEpoch(epoch, logs); err != nil {
				return err
			}
		}
	}
	for _, cb := range o.Callbacks {
		if err := cb.OnTrainEnd(c); err != nil {
			return fmt.Errorf("callback %s: %w", cb.Name(), err)
		}
	}
	return nil
}

// formatLogs prints logs in Keras's order and style.
func formatLogs(l Logs) string {
	s := ""
	for _, k := range []string{"accuracy", "loss", "val_accuracy", "val_loss", "learning_rate"} {
		v, ok := l[k]
		if !ok {
			continue
		}
		if s != "" {
			s += " - "
		}
		if k == "learning_rate" {
			s += fmt.Sprintf("%s: %.4g", k, v)
		} else {
			s += fmt.Sprintf("%s: %.4f", k, v)
		}
	}
	return s
}

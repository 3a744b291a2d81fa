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
// after the step in flight. Fit returns it inside an *InterruptedError saying where.
var ErrInterrupted = errors.New("training interrupted")

// InterruptedError is Fit's error when its context is cancelled: training stopped between
// two steps, at At, from where a checkpoint of the current variables continues exactly.
type InterruptedError struct {
	At FitState
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("%v at epoch %d, step %d", ErrInterrupted, e.At.Epoch+1, e.At.Batch)
}

// Unwrap makes errors.Is(err, ErrInterrupted) hold.
func (e *InterruptedError) Unwrap() error { return ErrInterrupted }

// FitState is where a Fit is in its training: with the variables (weights, optimizer
// slots and iterations, the graph's step counter), the history and the callbacks' states,
// what a checkpoint needs to continue it exactly. The data order needs no state: epoch e
// is shuffled from (seed, e).
type FitState struct {
	// Epoch is the 0-based epoch in progress; at an epoch boundary (Batch 0) it is the
	// number of epochs done.
	Epoch int `json:"epoch"`
	// Batch is how many batches of Epoch are done.
	Batch int `json:"batch"`
	// SumLoss, SumAccuracy and Seen are the partial epoch's running sums (loss and
	// accuracy weighted by batch size, examples seen), so its logs come out as if it had
	// not been interrupted.
	SumLoss     float64 `json:"sum_loss"`
	SumAccuracy float64 `json:"sum_accuracy"`
	Seen        int     `json:"seen"`
	// Seconds is the time spent on the partial epoch.
	Seconds float64 `json:"seconds"`
	// Stopped reports that a callback stopped training (EarlyStopping): the fit is over.
	Stopped bool `json:"stopped,omitempty"`
}

// FitOptions are Model.fit's arguments.
type FitOptions struct {
	Epochs       int
	InitialEpoch int // epochs already done (Keras's initial_epoch); see also Resume
	BatchSize    int
	Shuffle      bool
	Seed         int64
	Validation   *Dataset // nil: no validation
	Callbacks    []Callback
	Out          io.Writer // progress and epoch lines; nil: silent
	// Resume, if set, continues a fit from a checkpoint's position (InitialEpoch is then
	// ignored). A Stopped position trains no more; callbacks still get OnTrainEnd.
	Resume *FitState
	// Restore, if set, runs after the callbacks' OnTrainBegin and before the first step:
	// where a resumed run puts the callbacks' checkpointed state back.
	Restore func() error
	// AfterEpoch runs after each epoch's callbacks (history files, checkpoints) with the
	// position after the epoch (Batch 0; Stopped if a callback stopped training); its
	// error stops training.
	AfterEpoch func(at FitState, logs Logs) error
}

// Fit trains c on train as Keras's Model.fit does: per epoch, a (seeded) shuffle, batches
// in order (the last one partial), the running mean of loss and accuracy weighted by batch
// size, then validation in inference mode, the callbacks, and one line of logs.
//
// When ctx is cancelled Fit stops between two steps and returns an *InterruptedError
// holding the position; a NaN or infinite loss stops it with an error (Keras's
// TerminateOnNaN) before AfterEpoch can see the broken state.
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
	if o.Restore != nil {
		if err := o.Restore(); err != nil {
			return err
		}
	}
	at := FitState{Epoch: o.InitialEpoch}
	if o.Resume != nil {
		at = *o.Resume
	}
	c.log = out
	steps := (n + o.BatchSize - 1) / o.BatchSize
	if at.Batch < 0 || at.Batch > steps {
		return fmt.Errorf("fit: resuming at step %d of an epoch of %d steps (was the batch size or the data changed?)", at.Batch, steps)
	}
	c.stop = at.Stopped
	for epoch := at.Epoch; epoch < o.Epochs && !c.stop; epoch++ {
		fmt.Fprintf(out, "Epoch %d/%d\n", epoch+1, o.Epochs)
		start := time.Now().Add(-time.Duration(at.Seconds * float64(time.Second)))
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
		sumLoss, sumAcc, seen := at.SumLoss, at.SumAccuracy, at.Seen
		first := at.Batch
		if first > 0 {
			bar.Set(first)
		}
		at = FitState{}
		for b := first; b < steps; b++ {
			if err := ctx.Err(); err != nil {
				bar.Exit()
				return &InterruptedError{At: FitState{Epoch: epoch, Batch: b, SumLoss: sumLoss, SumAccuracy: sumAcc, Seen: seen,
					Seconds: time.Since(start).Seconds()}}
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
			if err := o.AfterEpoch(FitState{Epoch: epoch + 1, Stopped: c.stop}, logs); err != nil {
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

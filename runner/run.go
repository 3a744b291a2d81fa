package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/plots"
)

// Options are the command line's settings for one run.
type Options struct {
	Epochs  int    // > 0 overrides the config's epochs
	Limit   int    // > 0 uses only the first Limit training and test examples
	DataDir string // where data sets are looked for first
	OutDir  string // the run directory
	Seed    *int64 // overrides the config's seed
	Threads int    // TensorFlow intra-op threads (0: TensorFlow's choice)
	// Resume continues from the run directory's latest checkpoint; without one the run
	// fails with ErrNoCheckpoint. ResumeOrStart resumes too, but starts fresh when there is
	// no checkpoint. With neither, a run directory holding checkpoints is refused
	// (ErrCheckpointsExist). See PrepareCheckpoints.
	Resume        bool
	ResumeOrStart bool
	Out           io.Writer

	// extraCallbacks run after the config's callbacks (tests).
	extraCallbacks []Callback
}

// Metrics is metrics.json: the final evaluation and timing.
type Metrics struct {
	TestLoss        float64 `json:"test_loss"`
	TestAccuracy    float64 `json:"test_accuracy"`
	EpochsRun       int     `json:"epochs_run"`
	SecondsPerEpoch float64 `json:"seconds_per_epoch"`
	TrainExamples   int     `json:"train_examples"`
	TestExamples    int     `json:"test_examples"`
}

// Run trains the classifier cfg describes and writes the run directory: summary.txt,
// vocabulary.json, history.json, history.csv, curves.png, metrics.json, and checkpoints/
// (TensorFlow checkpoints every checkpoint.every epochs, at the end of training and when
// interrupted; see Checkpointer). With o.Resume it continues from the latest checkpoint
// exactly where the interrupted run was, to the same result an uninterrupted run gets.
func Run(ctx context.Context, cfg *configs.Config, o Options) (*Metrics, error) {
	if cfg.Task == configs.TaskGAN {
		return nil, RunGAN(ctx, cfg, o)
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	info, unlock, err := PrepareCheckpoints(cfg, o)
	if err != nil {
		return nil, err
	}
	defer unlock()
	seed := cfg.Seed
	if o.Seed != nil {
		seed = *o.Seed
	}
	epochs := cfg.Train.Epochs
	if o.Epochs > 0 {
		epochs = o.Epochs
	}
	var resumed *classifierState
	if info != nil {
		resumed = &classifierState{}
		if err := decodeState(info.Prefix, info.State, resumed); err != nil {
			return nil, err
		}
		saved := savedRun{Seed: resumed.Seed, Limit: resumed.Limit, MidEpoch: resumed.Fit.Batch > 0, BatchSize: resumed.BatchSize}
		if err := saved.checkResumable(o, cfg.File+": train.batch_size", cfg.Train.BatchSize); err != nil {
			return nil, fmt.Errorf("-resume from %s: %w", info.Prefix, err)
		}
		seed = resumed.Seed
	}

	t0 := time.Now()
	var train, test *Dataset
	if cfg.Data.Dataset == configs.DatasetIMDB {
		if train, test, err = loadIMDB(o.DataDir, o.OutDir, cfg.Data.NumWords, cfg.Data.Maxlen, o.Limit); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "Loaded IMDB: %d train, %d test reviews (maxlen %d, num_words %d) in %.1fs\n",
			train.Len(), test.Len(), cfg.Data.Maxlen, cfg.Data.NumWords, time.Since(t0).Seconds())
	} else {
		if train, test, err = loadImageDatasets(cfg.Data.Dataset, o.DataDir, o.Limit); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "Loaded %s: %d train, %d test images %v in %.1fs\n",
			cfg.Data.Dataset, train.Len(), test.Len(), train.Shape, time.Since(t0).Seconds())
	}

	var val *Dataset
	fitTrain := train
	if cfg.Train.ValidationSplit > 0 {
		tr, va, err := datasets.ValidationSplit(train.Len(), cfg.Train.ValidationSplit)
		if err != nil {
			return nil, err
		}
		fitTrain, val = train.Subset(tr), train.Subset(va)
	} else if cfg.Train.ValidationData == configs.ValidationTest {
		val = test
	}

	if resumed != nil && resumed.Fit.Batch > 0 && resumed.TrainExamples != fitTrain.Len() {
		return nil, fmt.Errorf("-resume from %s: %w: the checkpoint is in the middle of an epoch over %d training examples, this run has %d (was train.validation_split changed?)",
			info.Prefix, ErrResumeOptions, resumed.TrainExamples, fitTrain.Len())
	}
	c, err := buildConfigClassifier(cfg, train.Shape, train.Ints != nil, seed, o.Threads)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	summary := c.Model.Summary()
	fmt.Fprint(out, summary)
	if err := writeFileAtomic(filepath.Join(o.OutDir, "summary.txt"), []byte(summary)); err != nil {
		return nil, err
	}

	ck, err := NewCheckpointer(c.Graph, c.Session(), c.Graph.Variables(), CheckpointOptionsFor(cfg, o))
	if err != nil {
		return nil, err
	}
	h := &History{}
	var extras map[string]*tf.Tensor
	var from *FitState
	if resumed != nil {
		if extras, err = ck.Restore(info.Prefix, nil); err != nil {
			return nil, err
		}
		h = resumed.History.history()
		from = &resumed.Fit
		fmt.Fprintf(out, "Resumed from %s: %s\n", info.Prefix, describePosition(resumed.Fit, info.Step, fitTrain.Len(), cfg.Train.BatchSize))
		if len(h.Epochs) > 0 {
			if err := writeHistory(o.OutDir, h, cfg); err != nil {
				return nil, err
			}
		}
	}

	callbacks, err := newCallbacks(cfg.Train.Callbacks)
	if err != nil {
		return nil, err
	}
	callbacks = append(callbacks, o.extraCallbacks...)
	weights := c.Model.Variables()
	save := func(at FitState) (prefix string, fresh bool, err error) {
		step, err := stepOf(c.Session(), c.Graph)
		if err != nil {
			return "", false, err
		}
		cbs, cbExtras, err := callbackStates(callbacks, weights)
		if err != nil {
			return "", false, err
		}
		_, last := ck.Last()
		st := classifierState{Seed: seed, Limit: o.Limit, BatchSize: cfg.Train.BatchSize, TrainExamples: fitTrain.Len(), Epochs: epochs, Fit: at,
			History: newHistoryState(h), Callbacks: cbs}
		prefix, err = ck.Save(step, st, cbExtras...)
		return prefix, err == nil && step != last, err
	}
	every := max(cfg.Checkpoint.Every, 1)
	fitErr := c.Fit(ctx, fitTrain, FitOptions{
		Epochs: epochs, BatchSize: cfg.Train.BatchSize, Shuffle: cfg.Train.Shuffle, Seed: seed,
		Validation: val, Callbacks: callbacks, Out: out, Resume: from,
		Restore: func() error {
			if resumed == nil {
				return nil
			}
			return restoreCallbacks(callbacks, resumed.Callbacks, extras, weights, func(format string, args ...any) {
				fmt.Fprintf(out, format+"\n", args...)
			})
		},
		AfterEpoch: func(at FitState, _ Logs) error {
			// The checkpoint first: the run's files are reports, the checkpoint is the work.
			if at.Epoch%every == 0 || at.Stopped || at.Epoch >= epochs {
				prefix, fresh, err := save(at)
				if err != nil {
					return fmt.Errorf("epoch %d: %w", at.Epoch, err)
				}
				if fresh {
					fmt.Fprintf(out, "Epoch %d: saved checkpoint %s\n", at.Epoch, prefix)
				}
			}
			if err := writeHistory(o.OutDir, h, cfg); err != nil {
				fmt.Fprintf(out, "warning: epoch %d: %v (training goes on)\n", at.Epoch, err)
			}
			return nil
		},
	}, h)
	if fitErr != nil {
		var ie *InterruptedError
		if errors.As(fitErr, &ie) {
			if step, err := stepOf(c.Session(), c.Graph); err == nil && step == 0 {
				fmt.Fprintf(out, "\nInterrupted before the first training step: nothing to save.\n")
				return nil, fitErr
			}
			prefix, _, err := save(ie.At)
			if err != nil {
				return nil, fmt.Errorf("%w; saving a checkpoint failed: %v", fitErr, err)
			}
			fmt.Fprintf(out, "\nInterrupted at epoch %d/%d, step %d/%d: checkpoint %s holds the run up to here; continue it with -resume.\n",
				ie.At.Epoch+1, epochs, ie.At.Batch, (fitTrain.Len()+cfg.Train.BatchSize-1)/cfg.Train.BatchSize, prefix)
			return nil, fmt.Errorf("%w (saved %s)", fitErr, prefix)
		}
		if len(h.Epochs) > 0 {
			_ = writeHistory(o.OutDir, h, cfg)
		}
		var ce *checkpoints.Error
		if prefix, _ := ck.Last(); prefix != "" && !(errors.As(fitErr, &ce) && ce.Op == "saving") {
			return nil, fmt.Errorf("%w; the last good checkpoint, %s, is kept (continue from it with -resume)", fitErr, prefix)
		}
		return nil, fitErr
	}
	if err := ctx.Err(); err != nil {
		prefix, _ := ck.Last()
		return nil, fmt.Errorf("%w after training, before the test evaluation (the final checkpoint %s is saved; -resume evaluates)", ErrInterrupted, prefix)
	}
	loss, acc, err := c.Evaluate(test, cfg.Train.BatchSize)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Test score: %.4f\nTest accuracy: %.4f\n", loss, acc)
	m := &Metrics{TestLoss: loss, TestAccuracy: acc, EpochsRun: len(h.Epochs), TrainExamples: fitTrain.Len(), TestExamples: test.Len()}
	if secs := h.Metrics["seconds"]; len(secs) > 0 {
		for _, s := range secs {
			m.SecondsPerEpoch += s
		}
		m.SecondsPerEpoch /= float64(len(secs))
	}
	if err := writeJSON(filepath.Join(o.OutDir, "metrics.json"), m); err != nil {
		return nil, err
	}
	return m, nil
}

// savedRun is what a checkpoint's state says about the training that saved it.
type savedRun struct {
	Seed      int64
	Limit     int
	MidEpoch  bool // saved in the middle of an epoch
	BatchSize int  // the batch size of that epoch
}

// checkResumable refuses to resume a checkpoint under options that would not continue the
// same training: another seed, other examples, or a partial epoch with another batch size
// (batchKey and batchSize: the config's batch size setting and value).
func (r savedRun) checkResumable(o Options, batchKey string, batchSize int) error {
	if o.Seed != nil && *o.Seed != r.Seed {
		return fmt.Errorf("%w: -seed %d: the checkpoint was trained with seed %d (a resumed run keeps its seed; drop -seed)", ErrResumeOptions, *o.Seed, r.Seed)
	}
	if o.Limit != r.Limit {
		return fmt.Errorf("%w: -limit %d: the checkpoint was trained with -limit %d (resume with the same -limit)", ErrResumeOptions, o.Limit, r.Limit)
	}
	if r.MidEpoch && r.BatchSize != batchSize {
		return fmt.Errorf("%w: %s %d: the checkpoint is in the middle of an epoch of batches of %d (resume with batch_size %d)",
			ErrResumeOptions, batchKey, batchSize, r.BatchSize, r.BatchSize)
	}
	return nil
}

// describePosition says where a checkpoint is: "epoch 3, step 12/40 (global step 92)".
func describePosition(at FitState, step int64, n, batchSize int) string {
	switch {
	case at.Stopped:
		return fmt.Sprintf("training had stopped early after epoch %d (global step %d)", at.Epoch, step)
	case at.Batch == 0:
		return fmt.Sprintf("%d epochs done (global step %d)", at.Epoch, step)
	}
	return fmt.Sprintf("epoch %d, step %d/%d (global step %d)", at.Epoch+1, at.Batch, (n+batchSize-1)/batchSize, step)
}

// writeHistory writes history.json, history.csv and curves.png.
func writeHistory(dir string, h *History, cfg *configs.Config) error {
	if err := h.WriteJSON(filepath.Join(dir, "history.json")); err != nil {
		return err
	}
	if err := h.WriteCSV(filepath.Join(dir, "history.csv")); err != nil {
		return err
	}
	return plots.LearningCurves(filepath.Join(dir, "curves.png"), plots.History{Epochs: h.Epochs, Series: h.Metrics}, curvesTitle(cfg))
}

// curvesTitle titles the curves as the course's print_result(history, dropout) does: with
// the dropout rate when the model has dropout.
func curvesTitle(cfg *configs.Config) string {
	var rates []string
	for _, l := range cfg.Model.Layers {
		if l.Type == configs.LayerDropout {
			rates = append(rates, fmt.Sprint(l.Rate))
		}
	}
	if len(rates) == 0 {
		return cfg.Name
	}
	return fmt.Sprintf("%s (dropout = %s)", cfg.Name, strings.Join(rates, ", "))
}

// newCallbacks turns config callbacks into runner callbacks.
func newCallbacks(cbs []configs.Callback) ([]Callback, error) {
	var out []Callback
	for i, cb := range cbs {
		switch cb.Type {
		case configs.CallbackReduceLROnPlateau:
			out = append(out, &ReduceLROnPlateau{Monitor: cb.Monitor, Factor: cb.Factor, Patience: cb.Patience,
				Mode: cb.Mode, MinDelta: cb.MinDelta, Cooldown: cb.Cooldown, MinLR: cb.MinLR})
		case configs.CallbackEarlyStopping:
			out = append(out, &EarlyStopping{Monitor: cb.Monitor, MinDelta: cb.MinDelta, Patience: cb.Patience,
				Mode: cb.Mode, Baseline: cb.Baseline, RestoreBestWeights: cb.RestoreBestWeights, StartFromEpoch: cb.StartFromEpoch})
		default:
			return nil, fmt.Errorf("train.callbacks[%d]: unknown callback %q", i, cb.Type)
		}
	}
	return out, nil
}

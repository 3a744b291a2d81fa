package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
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
	Resume  bool
	Out     io.Writer
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
// vocabulary.json, history.json, history.csv, curves.png and metrics.json.
func Run(ctx context.Context, cfg *configs.Config, o Options) (*Metrics, error) {
	if cfg.Task != configs.TaskClassifier {
		return nil, fmt.Errorf("%s: task %q is not supported yet", cfg.File, cfg.Task)
	}
	if o.Resume {
		return nil, fmt.Errorf("-resume: checkpoints are not implemented yet for classifiers")
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	seed := cfg.Seed
	if o.Seed != nil {
		seed = *o.Seed
	}
	epochs := cfg.Train.Epochs
	if o.Epochs > 0 {
		epochs = o.Epochs
	}

	if cfg.Data.Dataset != configs.DatasetIMDB {
		return nil, fmt.Errorf("%s: data.dataset %q: classifiers are implemented for imdb only so far", cfg.File, cfg.Data.Dataset)
	}
	t0 := time.Now()
	train, test, err := loadIMDB(o.DataDir, o.OutDir, cfg.Data.NumWords, cfg.Data.Maxlen, o.Limit)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Loaded IMDB: %d train, %d test reviews (maxlen %d, num_words %d) in %.1fs\n",
		train.Len(), test.Len(), cfg.Data.Maxlen, cfg.Data.NumWords, time.Since(t0).Seconds())

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

	layers, err := buildLayers(cfg.Model.Layers, namer{})
	if err != nil {
		return nil, fmt.Errorf("%s: model.%w", cfg.File, err)
	}
	c, err := NewClassifier(ClassifierSpec{
		Layers: layers, Input: train.Shape, IntInput: true, Seed: uint64(seed), Threads: o.Threads,
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return newOptimizer(s, cfg.Train.Optimizer) },
	})
	if err != nil {
		return nil, fmt.Errorf("%s: building the model: %w", cfg.File, err)
	}
	defer c.Close()
	summary := c.Model.Summary()
	fmt.Fprint(out, summary)
	if err := writeFileAtomic(filepath.Join(o.OutDir, "summary.txt"), []byte(summary)); err != nil {
		return nil, err
	}

	callbacks, err := newCallbacks(cfg.Train.Callbacks)
	if err != nil {
		return nil, err
	}
	h := &History{}
	fitErr := c.Fit(ctx, fitTrain, FitOptions{
		Epochs: epochs, BatchSize: cfg.Train.BatchSize, Shuffle: cfg.Train.Shuffle, Seed: seed,
		Validation: val, Callbacks: callbacks, Out: out,
		AfterEpoch: func(int, Logs) error { return writeHistory(o.OutDir, h, cfg) },
	}, h)
	if fitErr != nil {
		if len(h.Epochs) > 0 {
			_ = writeHistory(o.OutDir, h, cfg)
		}
		return nil, fitErr
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

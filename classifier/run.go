package classifier

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/plots"
	"github.com/tfrun/tfrun/runner"
)

// Metrics is metrics.json: the final evaluation and timing.
type Metrics struct {
	TestLoss        float64 `json:"test_loss"`
	TestAccuracy    float64 `json:"test_accuracy"`
	EpochsRun       int     `json:"epochs_run"`
	SecondsPerEpoch float64 `json:"seconds_per_epoch"`
	TrainExamples   int     `json:"train_examples"`
	TestExamples    int     `json:"test_examples"`
	// TestData says what the test evaluation ran on: TestDataTest, TestDataTestPath,
	// TestDataValidation or TestDataTrain (own data without data.test_path).
	TestData string `json:"test_data,omitempty"`
	// TestMetrics are train.metrics' other values on the test split, by log name (auc,
	// precision, ...).
	TestMetrics map[string]float64 `json:"test_metrics,omitempty"`

	noAccuracy bool // a regression: metrics.json has no test_accuracy
}

// MarshalJSON writes metrics.json: every field, test_accuracy only for a model that has
// an accuracy (a regression has none; its test_metrics say how it did).
func (m Metrics) MarshalJSON() ([]byte, error) {
	type plain Metrics
	if !m.noAccuracy {
		return json.Marshal(plain(m))
	}
	return json.Marshal(struct {
		plain
		TestAccuracy *float64 `json:"test_accuracy,omitempty"` // shadows plain's
	}{plain: plain(m)})
}

// Run trains the classifier cfg describes with runner's loop and writes the run
// directory: summary.txt, model.dot and model.svg (plot_model's picture), vocabulary.json (IMDB), history.json, history.csv, curves.png,
// metrics.json (the test evaluation of the weights training ends with), the callbacks'
// files and checkpoints/. With o.Resume it continues from the latest checkpoint exactly
// where the interrupted run was, to the same result an uninterrupted run gets.
func Run(ctx context.Context, cfg *configs.Config, o runner.Options) (*Metrics, error) {
	sup := cfg.Supervised()
	if sup == nil {
		return nil, fmt.Errorf("%s: task %q: not a classifier", cfg.File, cfg.Task)
	}
	if sup.Model.MultiIO() {
		return runMulti(ctx, cfg, o)
	}
	r, err := runner.Begin(cfg, o, Schedule(cfg))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := r.Out

	t0 := time.Now()
	splits, err := LoadSplits(ctx, cfg, o.DataDir, o.OutDir, o.Limit, r.Seed)
	if err != nil {
		return nil, err
	}
	defer splits.Close()
	train, test, val := splits.Train, splits.Test, splits.Validation
	name := cfg.Data.Name()
	if train.Source != "" {
		name += " from " + train.Source // which copy of the data set: Locate searches several places
	}
	fmt.Fprintf(out, "Loaded %s: %d train, %d test examples %v in %.1fs\n", name, train.Len(), test.Len(), train.Shape, time.Since(t0).Seconds())
	reportOwnData(out, splits)
	fitTrain := train
	if sup.Train.ValidationSplit > 0 {
		tr, va, err := datasets.ValidationSplit(train.Len(), sup.Train.ValidationSplit)
		if err != nil {
			return nil, err
		}
		fitTrain, val = train.Subset(tr), train.Subset(va)
		defer fitTrain.Close()
		defer val.Close()
	} else if sup.Train.ValidationData == configs.ValidationTest {
		val = test
	}
	if v := validationBatches(val, sup.Train); v != val {
		val = v
		defer val.Close()
	}

	var c *Classifier
	var k kernelChoice
	k.forms, k.resumed = r.ResumedKernelForms()
	k.autotune, k.warn = true, out
	if o.Cluster != nil {
		c, err = startReplica(ctx, cfg, o, train, r.Seed, k)
	} else {
		c, err = fromConfig(cfg, train.Shape, train.Ints != nil, r.Seed, o.Threads, nil, 0, k)
	}
	if err != nil {
		return nil, err
	}
	defer c.Close()
	chief := o.Cluster == nil || o.Cluster.IsChief()
	if chief {
		if err := c.tuner.Finish(o.OutDir); err != nil {
			return nil, err
		}
	}
	summary := c.Model.Summary()
	fmt.Fprint(out, summary)
	if chief {
		if err := runner.WriteFile(filepath.Join(o.OutDir, "summary.txt"), []byte(summary)); err != nil {
			return nil, err
		}
		if err := plots.SaveModelGraph(o.OutDir, builders.PlotGraph(c.Model)); err != nil {
			return nil, err
		}
	}

	if err := c.Adapt(fitTrain, sup.Train.BatchSize); err != nil {
		return nil, err
	}
	if err := LoadInitialWeights(out, cfg, r, c.Session(), c.Weights()); err != nil {
		return nil, err
	}
	cw, err := classWeights(cfg, splits.ClassNames)
	if err != nil {
		return nil, err
	}
	m := &training{Classifier: c, train: fitTrain, val: val, batchSize: sup.Train.BatchSize, classWeights: cw}
	h, err := r.Fit(ctx, m, runner.FitSpec{Examples: fitTrain.Len(), Report: func(h *runner.History) error {
		if err := h.WriteFiles(o.OutDir); err != nil {
			return err
		}
		var metrics []string
		for _, m := range sup.Train.Metrics {
			metrics = append(metrics, configs.MetricLogName(m))
		}
		for _, m := range sup.Train.WeightedMetrics {
			metrics = append(metrics, sup.Train.WeightedMetricLogName(m))
		}
		return plots.LearningCurvesWith(filepath.Join(o.OutDir, "curves.png"), plots.History{Epochs: h.Epochs, Series: h.Metrics}, curvesTitle(cfg), metrics)
	}})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w after training, before the test evaluation (the final checkpoint is saved; -resume evaluates)", runner.ErrInterrupted)
	}
	loss, acc, logs, err := c.evaluate(test, sup.Train.BatchSize)
	if err != nil {
		return nil, err
	}
	reportStreams(out, map[string]*Dataset{"train": fitTrain, "validation": val, "test": test})
	fmt.Fprintf(out, "Test score: %.4f\n", loss)
	if c.HasAccuracy() {
		fmt.Fprintf(out, "Test accuracy: %.4f\n", acc)
	}
	met := &Metrics{TestLoss: loss, TestAccuracy: acc, EpochsRun: len(h.Epochs), TrainExamples: fitTrain.Len(), TestExamples: test.Len(), TestData: splits.TestData,
		noAccuracy: !c.HasAccuracy()}
	names := []string{}
	for _, m := range sup.Train.Metrics {
		names = append(names, configs.MetricLogName(m))
	}
	for _, m := range sup.Train.WeightedMetrics {
		names = append(names, sup.Train.WeightedMetricLogName(m))
	}
	for _, name := range names {
		if name == "accuracy" {
			continue // test_accuracy
		}
		if met.TestMetrics == nil {
			met.TestMetrics = map[string]float64{}
		}
		met.TestMetrics[name] = logs[name]
		fmt.Fprintf(out, "Test %s: %.4f\n", name, logs[name])
	}
	if secs := h.Metrics["seconds"]; len(secs) > 0 {
		for _, s := range secs {
			met.SecondsPerEpoch += s
		}
		met.SecondsPerEpoch /= float64(len(secs))
	}
	if !chief {
		return met, nil // the chief writes the run's files
	}
	if err := runner.WriteJSON(filepath.Join(o.OutDir, "metrics.json"), met); err != nil {
		return nil, err
	}
	return met, nil
}

// training is a Classifier bound to its data: the runner.Model of a classifier run.
type training struct {
	*Classifier
	train, val *Dataset
	batchSize  int
	// classWeights are train.class_weight by class id (nil without one): the training
	// examples' weights; validation is not weighed by them (Keras's fit).
	classWeights []float32
}

// TrainStep trains on the training examples at idx: the batch's loss and metrics.
func (t *training) TrainStep(idx []int) (runner.Logs, error) {
	logs, _, err := t.TrainStepCounts(idx)
	return logs, err
}

// TrainStepCounts trains on the training examples at idx: the batch's loss and mean
// metrics, and the stateful metrics' counts, which the loop sums over the epoch
// (runner.CountingModel).
func (t *training) TrainStepCounts(idx []int) (runner.Logs, runner.Counts, error) {
	if t.rep != nil {
		return t.replicaStep(idx)
	}
	x, y, err := t.train.batch(idx)
	if err != nil {
		return nil, nil, err
	}
	w, err := t.stepWeights(idx)
	if err != nil {
		return nil, nil, err
	}
	return t.TrainWeightedBatchLogs(x, y, w)
}

// EndEpoch evaluates the validation data in inference mode (val_loss and val_ of each
// metric, as Keras's evaluate computes them) and reports the learning rate.
func (t *training) EndEpoch() (runner.Logs, error) {
	logs := runner.Logs{}
	if t.val != nil {
		val, err := t.EvaluateLogs(t.val, t.batchSize)
		if err != nil {
			return nil, err
		}
		for k, v := range val {
			logs["val_"+k] = v
		}
	}
	lr, err := t.LearningRate()
	if err != nil {
		return nil, err
	}
	logs["learning_rate"] = lr
	return logs, nil
}

// curvesTitle titles the curves as the course's print_result(history, dropout) does: with
// the dropout rate when the model has dropout.
func curvesTitle(cfg *configs.Config) string {
	var rates []string
	for _, l := range cfg.Supervised().Model.Layers {
		if l.Type == configs.LayerDropout {
			rates = append(rates, fmt.Sprint(l.Float("rate")))
		}
	}
	if len(rates) == 0 {
		return cfg.Name
	}
	return fmt.Sprintf("%s (dropout = %s)", cfg.Name, strings.Join(rates, ", "))
}

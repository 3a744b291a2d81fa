package classifier

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/plots"
	"github.com/tfrun/tfrun/runner"
)

// runMulti is Run for a model fed by name from a CSV (data.inputs, data.outputs): it
// reads the CSV, trains with Keras's per-output losses and log names, and writes
// summary.txt, model.dot and model.svg, history.json, history.csv, curves.png (every output's losses and metrics)
// and metrics.json (test_loss, the weighted sum, and every other log under
// test_metrics). Checkpoints and -resume are the runner's, as for one output.
func runMulti(ctx context.Context, cfg *configs.Config, o runner.Options) (*Metrics, error) {
	sup := cfg.Supervised()
	switch {
	case o.Cluster != nil:
		return nil, fmt.Errorf("%s: data.outputs: several inputs and outputs do not train on a cluster yet", cfg.File)
	case sup.Train.ValidationSplit > 0:
		return nil, fmt.Errorf("%s: train.validation_split with data.outputs is not yet supported; use data.validation_split", cfg.File)
	}
	sched := Schedule(cfg)
	sched.Distributed = false
	r, err := runner.Begin(cfg, o, sched)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := r.Out
	t0 := time.Now()
	splits, err := loadMultiCSV(cfg.Data, func(name string) bool { return sup.Train.OutputLoss(name).Regression() }, r.Seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	fmt.Fprintf(out, "Loaded %s: %d train examples in %.1fs\n", cfg.Data.Path, splits.Train.Len(), time.Since(t0).Seconds())
	if err := writeMultiFiles(o.OutDir, splits); err != nil {
		return nil, err
	}
	for _, name := range sup.Train.Outputs() {
		if cn := splits.ClassNames[name]; cn != nil {
			fmt.Fprintf(out, "Output %s: classes (label order) %v\n", name, cn)
		} else {
			fmt.Fprintf(out, "Output %s: real-valued targets\n", name)
		}
	}
	var k kernelChoice
	k.forms, k.resumed = r.ResumedKernelForms()
	spec, err := multiSpecFor(cfg, r.Seed, o.Threads, k)
	if err != nil {
		return nil, err
	}
	for _, e := range []*Examples{splits.Train, splits.Validation, splits.Test} {
		if e == nil {
			continue
		}
		if err := spec.checkShapes(e); err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.File, err)
		}
	}
	m := spec.Model
	c, err := NewMultiOutput(spec)
	if err != nil {
		return nil, fmt.Errorf("%s: building the model: %w", cfg.File, err)
	}
	defer c.Close()
	if err := checkOutputClasses(cfg.File, c, spec, splits.ClassNames); err != nil {
		return nil, err
	}
	summary := m.Summary()
	fmt.Fprint(out, summary)
	if err := runner.WriteFile(filepath.Join(o.OutDir, "summary.txt"), []byte(summary)); err != nil {
		return nil, err
	}
	if err := LoadInitialWeights(out, cfg, r, c.Session(), c.Weights()); err != nil {
		return nil, err
	}
	if err := plots.SaveModelGraph(o.OutDir, builders.PlotGraph(m)); err != nil {
		return nil, err
	}
	val, test, testData := splits.Validation, splits.Test, TestDataTestPath
	switch {
	case sup.Train.ValidationData == configs.ValidationTest:
		val = test
	case test == nil && val != nil:
		test, testData = val, TestDataValidation
	case test == nil:
		test, testData = splits.Train, TestDataTrain
	}
	tr, err := newMultiTraining(c, splits.Train, val, sup.Train.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	curves := sup.Train.LogNames()[1:] // each output's loss and metrics
	h, err := r.Fit(ctx, tr, runner.FitSpec{Examples: splits.Train.Len(), Report: func(h *runner.History) error {
		if err := h.WriteFiles(o.OutDir); err != nil {
			return err
		}
		return plots.LearningCurvesWith(filepath.Join(o.OutDir, "curves.png"), plots.History{Epochs: h.Epochs, Series: h.Metrics}, curvesTitle(cfg), curves)
	}})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w after training, before the test evaluation (the final checkpoint is saved; -resume evaluates)", runner.ErrInterrupted)
	}
	logs, err := c.Evaluate(test, sup.Train.BatchSize)
	if err != nil {
		return nil, err
	}
	met := &Metrics{TestLoss: logs["loss"], EpochsRun: len(h.Epochs), TrainExamples: splits.Train.Len(), TestExamples: test.Len(),
		TestData: testData, noAccuracy: true, TestMetrics: map[string]float64{}}
	fmt.Fprintf(out, "Test score: %.4f\n", logs["loss"])
	for _, name := range curves {
		met.TestMetrics[name] = logs[name]
		fmt.Fprintf(out, "Test %s: %.4f\n", name, logs[name])
	}
	if secs := h.Metrics["seconds"]; len(secs) > 0 {
		for _, s := range secs {
			met.SecondsPerEpoch += s
		}
		met.SecondsPerEpoch /= float64(len(secs))
	}
	if err := runner.WriteJSON(filepath.Join(o.OutDir, "metrics.json"), met); err != nil {
		return nil, err
	}
	return met, nil
}

// checkOutputClasses checks each classification output's width against its classes: k units
// for k classes (one for two, with a 0/1 loss).
func checkOutputClasses(file string, c *MultiOutput, spec MultiSpec, classes map[string][]string) error {
	shapes := c.Model.OutputShapes()
	for i, o := range spec.Outputs {
		cn, ok := classes[o.Name]
		if !ok || len(spec.Labels[o.Name]) > 0 { // a regression, or several label columns (checked by the loss)
			continue
		}
		width := shapes[i][len(shapes[i])-1]
		switch o.Loss.Labels() {
		case configs.LabelsBinary:
			if len(cn) != 2 || width != 1 {
				return assemble.ModelErrorf("%s: output %s: %s takes 2 classes on one unit; the data has %d classes %v and the output %d units", file, o.Name, o.Loss, len(cn), cn, width)
			}
		case configs.LabelsSparse, configs.LabelsOneHot:
			if len(cn) != width {
				return assemble.ModelErrorf("%s: output %s: %d classes %v, but the output has %d units; give it one per class", file, o.Name, len(cn), cn, width)
			}
		}
	}
	return nil
}

package classifier

import (
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// Training returns c bound to its data as the runner.Model a classifier run trains (its
// train step on train's examples, the validation on val at each epoch's end, val nil for
// none): what Run passes to runner.Run.Fit, for programs that drive the loop themselves
// (package tfrun's Model.Fit).
func (c *Classifier) Training(train, val *Dataset, batchSize int) runner.Model {
	return &training{Classifier: c, train: train, val: val, batchSize: batchSize}
}

// Schedule is how a classifier config trains (runner.Begin's schedule): its train
// section's epochs, batch size, shuffle, callbacks, learning-rate schedule and fit
// arguments. Run and package tfrun's Model.Fit both train by it.
func Schedule(cfg *configs.Config) runner.Schedule {
	t := cfg.Supervised().Train
	key := "train.batch_size"
	if cfg.File != "" {
		key = cfg.File + ": " + key
	}
	s := runner.Schedule{Epochs: t.Epochs, BatchSize: t.BatchSize, BatchSizeKey: key, Shuffle: t.Shuffle,
		Callbacks: t.Callbacks, Distributed: true}
	if ls := t.Optimizer.Schedule; ls != nil {
		s.LearningRate = ls.LearningRate
	}
	return withFitArgs(s, t)
}

// MultiFromExamples builds cfg's model of several inputs or outputs (a functional model,
// train.loss and train.metrics by output name, resolved by configs) for examples shaped
// like e's, and its session: what a run of data.inputs and data.outputs builds, for
// programs that feed their own examples (package tfrun's Model.Fit). MultiFromConfig
// builds the same from the config's data section alone.
func MultiFromExamples(cfg *configs.Config, e *Examples, seed int64, threads int) (*MultiOutput, error) {
	spec, err := multiSpecFor(cfg, seed, threads, kernelChoice{})
	if err != nil {
		return nil, err
	}
	spec.Inputs, spec.IntInputs, spec.Labels = map[string]builders.Shape{}, map[string]bool{}, map[string]builders.Shape{}
	for name, t := range e.Inputs {
		spec.Inputs[name], spec.IntInputs[name] = t.Shape, t.Ints != nil
	}
	for name, t := range e.Labels {
		spec.Labels[name] = t.Shape
	}
	return NewMultiOutput(spec)
}

// Training returns c bound to its data as the runner.Model a run of several inputs and
// outputs trains (train and val, nil for none, must feed every input and output).
func (c *MultiOutput) Training(train, val *Examples, batchSize int) (runner.Model, error) {
	return newMultiTraining(c, train, val, batchSize)
}

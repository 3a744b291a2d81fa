package classifier

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// The files a run fed by name (data.inputs, data.outputs) writes beside its checkpoints,
// which export reads to take raw values as training read them.

// InputVocabularyFile is a text input's vocabulary, built from the training rows:
// vocabulary_<input>.json.
func InputVocabularyFile(input string) string { return "vocabulary_" + input + ".json" }

// InputNormalizationFile is a numeric input's Normalization, adapted on the training
// rows (when data.normalize is true): normalization_<input>.json.
func InputNormalizationFile(input string) string { return "normalization_" + input + ".json" }

// A run fed by name writes ClassNamesFile as a JSON object: each classification
// output's classes in label order (a several-column output's columns), by output name;
// a regression output is absent.

// multiSpecFor is the MultiSpec of cfg's model, from the config alone: each numeric
// input of shape (len(columns),), each text input int32 (maxlen,), each output's labels
// () or (len(columns),) for several label columns; the LSTMs choose their kernels for
// train.batch_size as k says.
func multiSpecFor(cfg *configs.Config, seed int64, threads int, k kernelChoice) (MultiSpec, error) {
	inFile := func(err error) error { // a config built in Go has no file
		if cfg.File == "" {
			return err
		}
		return fmt.Errorf("%s: %w", cfg.File, err)
	}
	sup := cfg.Supervised()
	if sup == nil || !sup.Model.MultiIO() {
		return MultiSpec{}, inFile(errors.New("not a model fed by name (data.inputs, data.outputs)"))
	}
	m, layers, err := assemble.Functional(&sup.Model, nil)
	if err != nil {
		return MultiSpec{}, assemble.ModelError(inFile(err))
	}
	p, err := graphs.LocalPlatform()
	if err != nil {
		return MultiSpec{}, err
	}
	if err := chooseLSTMs(layers, sup.Train.BatchSize, p, k); err != nil {
		return MultiSpec{}, inFile(err)
	}
	spec := MultiSpec{Model: m, Inputs: map[string]builders.Shape{}, IntInputs: map[string]bool{}, Labels: map[string]builders.Shape{},
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return assemble.Optimizer(s, sup.Train.Optimizer) },
		Seed:   uint64(seed), Threads: threads, TopK: sup.Train.TopK}
	for _, in := range cfg.Data.Inputs {
		if in.Text != "" {
			spec.Inputs[in.Name], spec.IntInputs[in.Name] = builders.Shape{in.Maxlen}, true
		} else {
			spec.Inputs[in.Name] = builders.Shape{len(in.Columns)}
		}
	}
	for _, o := range cfg.Data.Outputs {
		spec.Labels[o.Name] = builders.Shape{}
		if len(o.Columns) > 1 {
			spec.Labels[o.Name] = builders.Shape{len(o.Columns)}
		}
	}
	for _, name := range m.Outputs {
		spec.Outputs = append(spec.Outputs, OutputSpec{Name: name, Loss: sup.Train.OutputLoss(name),
			Weight: sup.Train.LossWeight(name), Metrics: sup.Train.OutputMetrics(name), LabelMode: cfg.Data.LabelMode})
	}
	return spec, nil
}

// checkShapes checks that e's inputs and labels have the shapes spec compiles.
func (spec MultiSpec) checkShapes(e *Examples) error {
	for name, t := range e.Inputs {
		if want, ok := spec.Inputs[name]; !ok || !slices.Equal(t.Shape, want) || (t.Ints != nil) != spec.IntInputs[name] {
			return fmt.Errorf("data.inputs.%s: the data has shape %v (int: %v), the model is compiled for %v (int: %v)", name, []int(t.Shape), t.Ints != nil, []int(want), spec.IntInputs[name])
		}
	}
	for name, t := range e.Labels {
		if want, ok := spec.Labels[name]; !ok || !slices.Equal(t.Shape, want) {
			return fmt.Errorf("data.outputs.%s: labels of shape %v, the model is compiled for %v", name, []int(t.Shape), []int(want))
		}
	}
	return nil
}

// MultiFromConfig compiles the model of a config fed by name (data.inputs,
// data.outputs) as its run trained it, without reading its data: the graph export
// restores a checkpoint of the run into. Its LSTMs choose their kernels for
// train.batch_size (the weights are the same in every kernel form).
func MultiFromConfig(cfg *configs.Config, seed int64, threads int) (*MultiOutput, error) {
	spec, err := multiSpecFor(cfg, seed, threads, kernelChoice{})
	if err != nil {
		return nil, err
	}
	c, err := NewMultiOutput(spec)
	if err != nil {
		return nil, fmt.Errorf("%s: building the model: %w", cfg.File, err)
	}
	return c, nil
}

// writeMultiFiles writes what export needs of a run fed by name: each text input's
// vocabulary, each numeric input's Normalization and the classification outputs'
// class names (ClassNamesFile, by output name).
func writeMultiFiles(outDir string, s *MultiSplits) error {
	for name, v := range s.Vocabularies {
		if err := v.Save(filepath.Join(outDir, InputVocabularyFile(name))); err != nil {
			return err
		}
	}
	for name, n := range s.Normalization {
		if err := runner.WriteJSON(filepath.Join(outDir, InputNormalizationFile(name)), n); err != nil {
			return err
		}
	}
	return runner.WriteJSON(filepath.Join(outDir, ClassNamesFile), s.ClassNames)
}

package tfrun

import (
	"fmt"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/export"
)

// Export writes the SavedModel tfrun export writes for the model trained in runDir (a Fit
// with RunDir: its latest checkpoint) into dir/<version> (the next free version) and
// returns that directory, for TensorFlow Serving, Python, Keras and tfrun's Go server.
//
// A model loaded from a config gets the serving signatures of the config's data (raw
// text, image pixels, a table's raw features, normalized in the graph); runDir must hold
// the files the data needs at serving time, which Model.LoadData writes into its outDir
// (vocabulary.json, class_names.json, normalization.json): load the data with outDir =
// runDir.
//
// A model built in Go serves its input as Fit took it: serving_default takes x, float32
// [batch, shape...] (int32 token ids for an Embedding first), and returns prediction for a
// regression loss, else probability, class_id and label (classes named "0", "1", ...) and
// probabilities for several units (export.BuildArrays). A model of several inputs or
// outputs serves as Fit took its data, by name (export.BuildArraysMulti): one argument
// per input, named as the input, and every output by name, as PredictOutputs gives it;
// a classification output of one label per example adds <output>_class_id,
// <output>_probability and <output>_label. It must be built (a Fit).
func (m *Model) Export(runDir, dir string) (string, error) {
	if m.compiled == nil {
		return "", fmt.Errorf("export: %w", ErrNotCompiled)
	}
	var em *export.Model
	var err error
	switch {
	case m.cfg != nil:
		em, err = export.Build(m.config(m.train()), export.Options{RunDir: runDir, Threads: m.compiled.threads})
	case m.multi() && m.mo == nil:
		return "", fmt.Errorf("export: %w (its inputs' and outputs' shapes are Fit's data's)", ErrNotBuilt)
	case m.multi():
		cfg, cerr := m.multiConfig(m.train())
		if cerr != nil {
			return "", fmt.Errorf("export: %w", cerr)
		}
		em, err = export.BuildArraysMulti(cfg, m.moIO, export.Options{RunDir: runDir, Threads: m.compiled.threads})
	case m.c == nil:
		return "", fmt.Errorf("export: %w (its input's shape is Fit's data's)", ErrNotBuilt)
	default:
		em, err = export.BuildArrays(m.config(m.train()), builders.Shape(m.in), m.ints, export.Options{RunDir: runDir, Threads: m.compiled.threads})
	}
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	defer em.Close()
	out, err := em.Write(dir, export.WriteOptions{})
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	return out, nil
}

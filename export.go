package tfrun

import (
	"fmt"

	"github.com/tfrun/tfrun/export"
)

// Export writes the SavedModel tfrun export writes for the model trained in runDir (a Fit
// with RunDir: its latest checkpoint) into dir/<version> (the next free version) and
// returns that directory: serving signatures that take what the config's data is (raw text,
// image pixels, a table's raw features, normalized in the graph) for TensorFlow Serving,
// Python, Keras and tfrun's Go server. runDir must hold the files the data needs at serving
// time, which Model.LoadData writes into its outDir (vocabulary.json, class_names.json,
// normalization.json): load the data with outDir = runDir.
//
// Only a model loaded from a config exports for now: a model built in Go is refused
// with an error wrapping export.ErrUnsupported (its inputs have no serving form yet).
func (m *Model) Export(runDir, dir string) (string, error) {
	if m.compiled == nil {
		return "", fmt.Errorf("export: %w", ErrNotCompiled)
	}
	if m.cfg == nil {
		return "", fmt.Errorf("export: %w: a model built in Go has no serving inputs yet (export knows a config's: texts, images, tables); load one with LoadConfig", export.ErrUnsupported)
	}
	em, err := export.Build(m.config(m.train()), export.Options{RunDir: runDir, Threads: m.compiled.threads})
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

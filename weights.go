package tfrun

import (
	"fmt"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/runner"
)

// LoadWeights restores the latest checkpoint of a run directory (a Fit with RunDir, or a
// bin/tfrun run of the loaded config) into the built model: its weights, and the
// optimizer's state with them, as tfrun predict -run loads a run. A checkpoint of another
// model is an error wrapping checkpoints.ErrMismatch that says which setting differs, none
// one wrapping checkpoints.ErrNoCheckpoint. It returns the checkpoint's prefix.
func (m *Model) LoadWeights(runDir string) (string, error) {
	if m.mo != nil {
		cfg, err := m.multiConfig(m.train())
		if err != nil {
			return "", fmt.Errorf("load weights: %w", err)
		}
		prefix, err := checkpoints.RestoreLatest(m.mo.Graph(), m.mo.Session(), runner.CheckpointOptions(cfg, runDir))
		if err != nil {
			return "", fmt.Errorf("load weights: %w", err)
		}
		m.adapted = true
		return prefix, nil
	}
	if m.c == nil {
		return "", fmt.Errorf("load weights: %w", ErrNotBuilt)
	}
	prefix, err := checkpoints.RestoreLatest(m.c.Graph(), m.c.Session(), runner.CheckpointOptions(m.config(m.train()), runDir))
	if err != nil {
		return "", fmt.Errorf("load weights: %w", err)
	}
	m.adapted = true // the checkpoint holds the Normalization layers' statistics
	return prefix, nil
}

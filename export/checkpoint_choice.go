package export

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/tfrun/tfrun/checkpoints"
)

// Checkpoint choices of Options.Checkpoint besides "ckpt-N".
const (
	// CheckpointLatest is the run's latest checkpoint: where training ended (with
	// EarlyStopping's restored best weights, if it restored them).
	CheckpointLatest = "latest"
	// CheckpointBest is the checkpoint ModelCheckpoint(save_best_only: true) keeps in
	// <run dir>/checkpoints/best/.
	CheckpointBest = "best"
)

var checkpointName = regexp.MustCompile(`^ckpt-[0-9]+$`)

// FindCheckpoint returns the prefix of a run's checkpoint: which is CheckpointLatest (also
// ""), CheckpointBest or a checkpoint's name, "ckpt-N". No such checkpoint is an error
// wrapping checkpoints.ErrNoCheckpoint that says what there is; another which is one
// wrapping ErrInvalidArgument.
func FindCheckpoint(runDir, which string) (string, error) {
	dir := checkpoints.Dir(runDir)
	switch {
	case which == "" || which == CheckpointLatest:
		prefix, err := checkpoints.Latest(dir)
		if err != nil {
			return "", err
		}
		if prefix == "" {
			return "", fmt.Errorf("%w in %s (train the run first, or give -run its directory)", checkpoints.ErrNoCheckpoint, dir)
		}
		return prefix, nil
	case which == CheckpointBest:
		prefix, err := checkpoints.Latest(checkpoints.BestDir(runDir))
		if err != nil {
			return "", err
		}
		if prefix == "" {
			return "", fmt.Errorf("%w: no best checkpoint in %s: a run keeps one only with the callback {type: ModelCheckpoint, save_best_only: true} (kept: %s)",
				checkpoints.ErrNoCheckpoint, checkpoints.BestDir(runDir), checkpoints.Describe(dir))
		}
		return prefix, nil
	case checkpointName.MatchString(which):
		prefix := filepath.Join(dir, which)
		if _, err := os.Stat(checkpoints.IndexFile(prefix)); err != nil {
			return "", fmt.Errorf("%w: no checkpoint %s in %s (kept: %s)", checkpoints.ErrNoCheckpoint, which, dir, checkpoints.Describe(dir))
		}
		return prefix, nil
	}
	return "", errorf("choosing the checkpoint", "", ErrInvalidArgument, "-checkpoint %q: want %s, %s or ckpt-N", which, CheckpointLatest, CheckpointBest)
}

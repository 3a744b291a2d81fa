package tfrun

import (
	"errors"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/runner"
)

// userErrors are the sentinels of errors their caller fixes by changing what it asked for.
var userErrors = []error{
	distributed.ErrBadConfig, distributed.ErrPortInUse,
	checkpoints.ErrNoCheckpoint, checkpoints.ErrCheckpointsExist, checkpoints.ErrMismatch,
	runner.ErrResumeOptions, assemble.ErrModelConfig,
	export.ErrUnsupported, export.ErrVersionExists, export.ErrNotSavedModel, export.ErrNoRunFile, export.ErrInvalidArgument,
	ErrUnsuitableModel,
}

// IsUserError reports whether err is one its caller fixes by changing what it asked for,
// rather than a failure while running: options or a config that are invalid or exclude
// each other, a cluster's settings or a port in use, a run directory without a checkpoint
// (Resume) or one that already holds checkpoints, a checkpoint of another model, a model
// its loss does not fit, an export version that exists, a directory that is not a
// SavedModel, a model a Predictor cannot feed (ErrUnsuitableModel), a Keras file tfrun cannot read or represent. tfrun exits 2 on such an error
// and 1 on the others (a damaged checkpoint, a failed write, a NaN loss, missing data).
func IsUserError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errUser) {
		return true
	}
	for _, s := range userErrors {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// errUser marks an error as the caller's to fix (userError) when no sentinel says so.
var errUser = errors.New("user error")

// userError marks err as one for which IsUserError is true, keeping its message.
func userError(err error) error { return userErr{err} }

type userErr struct{ error }

func (e userErr) Unwrap() []error { return []error{e.error, errUser} }

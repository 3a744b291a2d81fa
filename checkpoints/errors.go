package checkpoints

import (
	"errors"
	"fmt"
)

// Sentinels an *Error may wrap, for errors.Is.
var (
	// ErrCorrupt: a checkpoint's files are missing, truncated, damaged or inconsistent.
	ErrCorrupt = errors.New("checkpoints: corrupt checkpoint")
	// ErrMismatch: a checkpoint is intact but of another model (other variables, dtypes or
	// shapes, or another config fingerprint).
	ErrMismatch = errors.New("checkpoints: checkpoint of another model")
	// ErrNotFinite: a save was refused because a value is NaN or infinite.
	ErrNotFinite = errors.New("checkpoints: non-finite values")
)

// Error is a failed checkpoint operation: what was being done (Op: "saving", "restoring",
// "reading"), on which checkpoint (Path: its prefix, or the directory), what kind of
// failure (Kind: one of the sentinels above, or nil for an I/O or TensorFlow error) and
// the cause, which says what does not match or what is damaged.
type Error struct {
	Op   string
	Path string
	Kind error
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("checkpoints: %s %s: %v", e.Op, e.Path, e.Err) }

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

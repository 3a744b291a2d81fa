package export

import (
	"errors"
	"fmt"
)

// Sentinels an *Error wraps, for errors.Is. The command line exits 2 on each: the user
// must change an argument.
var (
	// ErrUnsupported: the config describes a model export cannot serve (a data set without
	// a known input encoding).
	ErrUnsupported = errors.New("export: model not exportable")
	// ErrVersionExists: the output directory already holds the version asked for.
	ErrVersionExists = errors.New("export: version exists")
	// ErrNotSavedModel: a directory given as a SavedModel is not one.
	ErrNotSavedModel = errors.New("export: not a SavedModel")
	// ErrNoRunFile: the run directory lacks a file the export needs (vocabulary.json), or
	// holds another run's.
	ErrNoRunFile = errors.New("export: run file missing")
	// ErrInvalidArgument: an option export cannot take (a -checkpoint that is none of
	// latest, best, ckpt-N; a negative version).
	ErrInvalidArgument = errors.New("export: invalid argument")
)

// Error is a failed export or load: what was being done (Op), on which path, what kind of
// failure (Kind: a sentinel above, or nil) and the cause.
type Error struct {
	Op   string
	Path string
	Kind error
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("export: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("export: %s %s: %v", e.Op, e.Path, e.Err)
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// errorf returns an *Error of the given kind.
func errorf(op, path string, kind error, format string, args ...any) error {
	return &Error{Op: op, Path: path, Kind: kind, Err: fmt.Errorf(format, args...)}
}

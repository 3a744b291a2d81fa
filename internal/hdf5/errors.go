package hdf5

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrFormat reports a file that is not HDF5 or is truncated or corrupt.
	ErrFormat = errors.New("hdf5: malformed file")
	// ErrUnsupported reports a valid HDF5 feature this reader does not implement.
	ErrUnsupported = errors.New("hdf5: unsupported feature")
	// ErrNotFound reports a missing group, dataset or attribute.
	ErrNotFound = errors.New("hdf5: not found")
)

// Error is an error with its context: the file, the object path and the byte offset.
type Error struct {
	File   string // file name, or "" for OpenReader
	Path   string // object path inside the file, such as /layers/dense/vars/0
	Offset int64  // byte offset of the structure being read, or -1
	Err    error
}

func (e *Error) Error() string {
	s := "hdf5: "
	if e.File != "" {
		s += e.File + ": "
	}
	if e.Path != "" {
		s += e.Path + ": "
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf("at offset %#x: ", e.Offset)
	}
	return s + strings.TrimPrefix(e.Err.Error(), "hdf5: ")
}

func (e *Error) Unwrap() error { return e.Err }

// formatErr returns an error wrapping ErrFormat.
func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// unsupported returns an error wrapping ErrUnsupported.
func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}

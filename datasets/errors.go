package datasets

import (
	"errors"
	"fmt"
	"io/fs"
)

// Sentinel errors. Every error returned by this package wraps exactly one of them,
// so callers can branch with errors.Is.
var (
	// ErrFormat: a file exists but its contents are not what the format requires
	// (bad magic number, truncated payload, corrupt gzip or tar, bad member name).
	ErrFormat = errors.New("malformed data")
	// ErrNotFound: a data set, file or archive member is missing.
	ErrNotFound = errors.New("not found")
	// ErrChecksum: downloaded bytes do not have the expected SHA-256.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrInvalidArgument: a caller passed a value outside the documented range.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrIO: reading, writing or downloading failed for a reason outside the data
	// (permissions, a full disk, the network, an HTTP status).
	ErrIO = errors.New("I/O error")
)

// Error is the one error type of this package. It says what was being done (Op),
// to which file, directory or URL (Path, may be empty), and why (Err, which wraps a
// sentinel and possibly an underlying I/O error).
type Error struct {
	Op   string
	Path string
	Err  error
}

// Error formats as "datasets: <op> <path>: <reason>".
func (e *Error) Error() string {
	if e.Path == "" {
		return "datasets: " + e.Op + ": " + e.Err.Error()
	}
	return "datasets: " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the wrapped reason, so errors.Is finds the sentinel and any
// underlying error (for example *fs.PathError or gzip.ErrChecksum).
func (e *Error) Unwrap() error { return e.Err }

// newError wraps kind (a sentinel) with a formatted detail. If args contains an
// error formatted with %w it is wrapped too.
func newError(op, path string, kind error, format string, args ...any) *Error {
	return &Error{Op: op, Path: path, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

// wrapIOError turns a failure into an *Error. An error that already wraps a
// sentinel keeps it; otherwise a missing file becomes ErrNotFound, another
// *fs.PathError ErrIO, and anything else (corrupt gzip or tar streams) ErrFormat.
func wrapIOError(op, path string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, kind := range [...]error{ErrFormat, ErrNotFound, ErrChecksum, ErrInvalidArgument, ErrIO} {
		if errors.Is(err, kind) {
			return &Error{Op: op, Path: path, Err: err}
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return newError(op, path, ErrNotFound, "%w", err)
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return newError(op, path, ErrIO, "%w", err)
	}
	return newError(op, path, ErrFormat, "%w", err)
}

package configs

import (
	"errors"
	"strings"
)

// Sentinels for [errors.Is]; every error this package returns is an [*Error] wrapping one of
// them (a file that cannot be read wraps the [io/fs] error instead).
var (
	// ErrUnknownKey: the key is not part of the schema at that place.
	ErrUnknownKey = errors.New("configs: unknown key")
	// ErrMissingKey: a required key is absent (or null).
	ErrMissingKey = errors.New("configs: missing key")
	// ErrWrongType: the value has the wrong YAML type, e.g. a string or a float for an int.
	ErrWrongType = errors.New("configs: wrong type")
	// ErrBadValue: the value has the right type but is impossible, e.g. units: -1.
	ErrBadValue = errors.New("configs: bad value")
	// ErrSyntax: the file is not valid YAML (or not a YAML mapping).
	ErrSyntax = errors.New("configs: syntax error")
)

// Error is the one error type of this package. It says where (the file and the key path,
// such as "model.layers[2].activation"), and its Err says what and what would be valid.
type Error struct {
	File string // the path given to Load; "" for a Config built in Go
	Key  string // the key path; "" when the whole file is at fault
	Err  error  // wraps one of the sentinels above
}

// Error formats as "file: key: msg", leaving out empty parts.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return strings.TrimSuffix(b.String(), ": ")
}

// Unwrap returns Err, so errors.Is(err, ErrBadValue) works.
func (e *Error) Unwrap() error { return e.Err }

// kindError is a message that unwraps to its kind (a sentinel) without repeating the
// sentinel's text.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

package distributed

import (
	"errors"
	"fmt"
)

// Sentinels for [errors.Is]; every error this package returns is an [*Error] wrapping one of
// them (or, for a failure inside TensorFlow, TensorFlow's own error).
var (
	// ErrBadConfig: TF_CONFIG (or a Cluster built in Go) is malformed or asks for something
	// tfrun does not support. A usage error: the CLI exits 2.
	ErrBadConfig = errors.New("distributed: bad TF_CONFIG")
	// ErrPortInUse: this task's port is taken, so its server cannot listen. The CLI exits 2.
	ErrPortInUse = errors.New("distributed: port in use")
	// ErrServer: TensorFlow refused to create or start the server for another reason.
	ErrServer = errors.New("distributed: server failed")
	// ErrUnreachable: a task of the cluster does not accept connections on its address
	// (not started yet, dead, or the address is wrong).
	ErrUnreachable = errors.New("distributed: task unreachable")
	// ErrStartupTimeout: some task of the cluster did not accept connections within the
	// startup timeout (Cluster.StartupTimeout, tfrun's -startup-timeout). The error also
	// wraps ErrUnreachable and names the tasks. Nothing was trained or saved.
	ErrStartupTimeout = errors.New("distributed: the cluster did not start in time")
	// ErrStepTimeout: a session run did not return within the watchdog's bound. TensorFlow
	// may still be waiting inside it; the session (and the process) cannot go on.
	ErrStepTimeout = errors.New("distributed: step timed out")
)

// Error is the one error type of this package. Where says which part of the configuration
// or which task ("TF_CONFIG: cluster.worker[1]", "server /job:worker/task:0"); Err says what
// and what would be valid, and unwraps to a sentinel.
type Error struct {
	Where string
	Err   error
}

// Error formats as "where: what".
func (e *Error) Error() string {
	if e.Where == "" {
		return e.Err.Error()
	}
	return e.Where + ": " + e.Err.Error()
}

// Unwrap returns Err, so errors.Is(err, ErrBadConfig) works.
func (e *Error) Unwrap() error { return e.Err }

// kindError is a message that unwraps to its kind (a sentinel) without repeating the
// sentinel's text.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// BadConfigError is an [*Error] at where (a flag, a key) with the message format, wrapping
// ErrBadConfig without repeating its text: a usage error of the cluster's options.
func BadConfigError(where, format string, args ...any) error {
	return &Error{Where: where, Err: &kindError{kind: ErrBadConfig, msg: fmt.Sprintf(format, args...)}}
}

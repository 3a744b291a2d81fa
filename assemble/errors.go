package assemble

import (
	"errors"
	"fmt"
)

// ErrModelConfig marks an error in what a config asks to build, found while building it
// (shapes that do not fit, a loss that does not suit the output): a config error, which the
// command line reports with exit code 2.
var ErrModelConfig = errors.New("the config's model cannot be built")

type modelConfigError struct{ err error }

func (e modelConfigError) Error() string   { return e.err.Error() }
func (e modelConfigError) Unwrap() []error { return []error{e.err, ErrModelConfig} }

// ModelError marks err (if not nil) as an ErrModelConfig.
func ModelError(err error) error {
	if err == nil {
		return nil
	}
	return modelConfigError{err}
}

// ModelErrorf is ModelError(fmt.Errorf(format, args...)).
func ModelErrorf(format string, args ...any) error { return ModelError(fmt.Errorf(format, args...)) }

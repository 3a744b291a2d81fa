package runner

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// Verbosity is Keras's Model.fit(verbose=...): how Fit shows an epoch's progress on
// Options.Out. Its flag spellings are Keras's values: "auto", "0", "1", "2".
type Verbosity int

const (
	// VerboseAuto, the zero value, is Keras's "auto": VerboseBar when Out is a terminal,
	// VerboseLines otherwise (a file, a pipe, a buffer: CI, nohup, Kubernetes).
	VerboseAuto Verbosity = iota
	// VerboseSilent (0) shows no progress: no "Epoch N/M", no bar, no epoch line. Everything
	// else still prints: what the run loaded, callbacks' and checkpoints' notes, results.
	VerboseSilent
	// VerboseBar (1) is Keras's progress bar, redrawn in place (carriage returns) during
	// the epoch, then the epoch's line.
	VerboseBar
	// VerboseLines (2) prints "Epoch N/M" and, when the epoch ends, one line with its
	// metrics: "250/250 - 12s - 48ms/step - accuracy: 0.8123 - loss: 0.4012 - ...".
	VerboseLines
)

// ErrVerbosity: a -verbose value that is none of Keras's.
var ErrVerbosity = errors.New("want auto, 0 (silent), 1 (progress bar) or 2 (one line per epoch)")

var verbosityNames = [...]string{VerboseAuto: "auto", VerboseSilent: "0", VerboseBar: "1", VerboseLines: "2"}

// ParseVerbosity reads Keras's spelling of a verbosity: auto, 0, 1 or 2.
func ParseVerbosity(s string) (Verbosity, error) {
	for v, name := range verbosityNames {
		if s == name {
			return Verbosity(v), nil
		}
	}
	return 0, fmt.Errorf("verbose %q: %w", s, ErrVerbosity)
}

// String is Keras's spelling of v.
func (v Verbosity) String() string {
	if v < 0 || int(v) >= len(verbosityNames) {
		return fmt.Sprintf("Verbosity(%d)", int(v))
	}
	return verbosityNames[v]
}

// Set makes *Verbosity a flag.Value (the flag package names the flag and the value).
func (v *Verbosity) Set(s string) error {
	p, err := ParseVerbosity(s)
	if err != nil {
		return ErrVerbosity
	}
	*v = p
	return nil
}

// resolve is the verbosity Fit uses on out: VerboseAuto becomes VerboseBar on a terminal
// and VerboseLines on anything else.
func (v Verbosity) resolve(out io.Writer) Verbosity {
	if v != VerboseAuto {
		return v
	}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return VerboseBar
	}
	return VerboseLines
}

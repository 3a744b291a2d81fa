package kerasfile

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrFormat reports a file that is not a readable Keras model: not a zip or HDF5 file,
	// a member missing, JSON that does not parse, weights that do not fit the model.
	ErrFormat = errors.New("not a readable Keras model file")
	// ErrUnsupported reports a model that tfrun cannot represent: layers or arguments it
	// lacks (see Problems).
	ErrUnsupported = errors.New("the model uses what tfrun lacks")
)

// Problem is one thing of a Keras model tfrun cannot represent.
type Problem struct {
	// Layer and Class name the layer ("conv_1", "Conv2D"); both "" for the model itself.
	Layer, Class string
	// Arg is the Keras argument ("data_format"), "" for the layer as a whole.
	Arg string
	// Msg says what is wrong.
	Msg string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Layer != "" || p.Class != "" {
		fmt.Fprintf(&b, "layer %q (%s)", p.Layer, p.Class)
	} else {
		b.WriteString("model")
	}
	if p.Arg != "" {
		fmt.Fprintf(&b, ", argument %s", p.Arg)
	}
	return b.String() + ": " + p.Msg
}

// Error is a model tfrun cannot represent, with every problem found in its file.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem", e.File, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString(" (tfrun lacks what the model uses):")
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p.String())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return ErrUnsupported }

// formatError is an error wrapping ErrFormat about file.
func formatError(file, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", file, ErrFormat, fmt.Sprintf(format, args...))
}

package runner

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestParseVerbosity(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Verbosity
	}{{"auto", VerboseAuto}, {"0", VerboseSilent}, {"1", VerboseBar}, {"2", VerboseLines}} {
		got, err := ParseVerbosity(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseVerbosity(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if got.String() != c.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), c.in)
		}
	}
	for _, bad := range []string{"3", "-1", "", "Auto", "true", " 1"} {
		if _, err := ParseVerbosity(bad); !errors.Is(err, ErrVerbosity) {
			t.Errorf("ParseVerbosity(%q): err %v, want ErrVerbosity", bad, err)
		}
	}
}

// As a flag: Keras's values set it; a bad one is an error and leaves it as it was.
func TestVerbosityFlag(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var v Verbosity
	fs.Var(&v, "verbose", "")
	if err := fs.Parse([]string{"-verbose", "2"}); err != nil || v != VerboseLines {
		t.Fatalf("-verbose 2: %v, %v", v, err)
	}
	if err := fs.Parse([]string{"-verbose=3"}); err == nil || v != VerboseLines {
		t.Errorf("-verbose=3: err %v, value %v; want an error, 2 kept", err, v)
	}
}

// auto is the progress bar on a terminal only: a buffer, a file, nothing are not.
func TestVerbosityResolve(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		name string
		out  io.Writer
	}{{"buffer", &bytes.Buffer{}}, {"file", f}, {"discard", io.Discard}} {
		if got := VerboseAuto.resolve(c.out); got != VerboseLines {
			t.Errorf("auto on a %s: %v, want 2", c.name, got)
		}
		for _, v := range []Verbosity{VerboseSilent, VerboseBar, VerboseLines} {
			if got := v.resolve(c.out); got != v {
				t.Errorf("%v on a %s: %v", v, c.name, got)
			}
		}
	}
}

package datasets

import (
	"errors"
	"io/fs"
	"testing"
)

func TestError(t *testing.T) {
	inner := &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}
	tests := []struct {
		name string
		err  error
		want string
		is   []error
	}{
		{"with path", newError("read IDX images", "/d/f.gz", ErrFormat, "magic number %d, want %d", 1, 2051),
			"datasets: read IDX images /d/f.gz: malformed data: magic number 1, want 2051", []error{ErrFormat}},
		{"without path", newError("pad sequences", "", ErrInvalidArgument, "maxlen is 0, want > 0"),
			"datasets: pad sequences: invalid argument: maxlen is 0, want > 0", []error{ErrInvalidArgument}},
		{"missing file", wrapIOError("load MNIST", "/d", &fs.PathError{Op: "open", Path: "/d/f", Err: fs.ErrNotExist}),
			"datasets: load MNIST /d: not found: open /d/f: file does not exist", []error{ErrNotFound, fs.ErrNotExist}},
		{"permission", wrapIOError("load IMDB", "/d", inner),
			"datasets: load IMDB /d: I/O error: open /x: permission denied", []error{ErrIO, fs.ErrPermission}},
		{"keeps an inner sentinel", wrapIOError("load IMDB", "/d", newError("x", "y", ErrChecksum, "z")),
			"datasets: x y: checksum mismatch: z", []error{ErrChecksum}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			for _, target := range tt.is {
				if !errors.Is(tt.err, target) {
					t.Errorf("errors.Is(%q, %v) = false", tt.err, target)
				}
			}
			var e *Error
			if !errors.As(tt.err, &e) {
				t.Errorf("%q is not an *Error", tt.err)
			}
		})
	}
}

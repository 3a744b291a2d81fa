package hdf5

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// readEverything opens data and reads every group, dataset and attribute, returning the
// first error.
func readEverything(data []byte) error {
	return readAll(openReader(bytes.NewReader(data), int64(len(data)), "", true))
}

// readEverythingUnchecked is readEverything without the superblock's end-of-file check.
func readEverythingUnchecked(data []byte) error {
	return readAll(openReader(bytes.NewReader(data), int64(len(data)), "", false))
}

func readAll(f *File, err error) error {
	if err != nil {
		return err
	}
	// Hard links may form cycles, and many links may reach one object: visit each once.
	seen := map[uint64]bool{}
	var visit func(g *Group, depth int) error
	visit = func(g *Group, depth int) error {
		if depth > 16 || seen[g.addr] {
			return nil
		}
		seen[g.addr] = true
		if err := readAttrs(g); err != nil {
			return err
		}
		names, err := g.Children()
		if err != nil {
			return err
		}
		for _, n := range names {
			o, err := g.Child(n)
			if err != nil {
				return err
			}
			switch o := o.(type) {
			case *Group:
				if err := visit(o, depth+1); err != nil {
					return err
				}
			case *Dataset:
				if seen[o.object.addr] {
					continue
				}
				seen[o.object.addr] = true
				if err := readAttrs(o); err != nil {
					return err
				}
				if err := readValues(&o.values); err != nil && !errors.Is(err, ErrUnsupported) {
					return err
				}
			}
		}
		return nil
	}
	return visit(f.Root(), 0)
}

func readAttrs(o Object) error {
	attrs, err := o.Attrs()
	if err != nil {
		return err
	}
	for _, a := range attrs {
		if err := readValues(&a.values); err != nil {
			return err
		}
	}
	return nil
}

func readValues(v *values) error {
	if k := v.DType().Kind; k == String || k == VarString {
		_, err := v.Strings()
		return err
	}
	_, err := v.Float64s()
	return err
}

func goldenFiles(t testing.TB) map[string][]byte {
	paths, err := filepath.Glob("testdata/*.h5")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = b
	}
	return files
}

// TestTruncated feeds every prefix of the golden files: each must give an error wrapping
// ErrFormat (never a panic); the full file must read without one.
func TestTruncated(t *testing.T) {
	for name, data := range goldenFiles(t) {
		if err := readEverything(data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		step := 1
		if testing.Short() {
			step = 97
		}
		for n := 0; n < len(data); n += step {
			err := readEverything(data[:n])
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("%s cut to %d bytes: err = %v, want ErrFormat", name, n, err)
			}
		}
	}
}

// TestTruncatedBody skips the superblock's end-of-file check, so that truncation reaches
// the structures past the superblock: each cut must give ErrFormat or, when it removed
// only bytes no object uses, no error.
func TestTruncatedBody(t *testing.T) {
	for name, data := range goldenFiles(t) {
		var failed int
		for n := 0; n < len(data); n += 13 {
			err := readEverythingUnchecked(data[:n])
			if err == nil {
				continue
			}
			failed++
			if !errors.Is(err, ErrFormat) {
				t.Errorf("%s cut to %d bytes: err = %v, want ErrFormat", name, n, err)
			}
		}
		if failed == 0 {
			t.Errorf("%s: no cut gave an error", name)
		}
	}
}

// TestFlipped flips random bytes of the golden files: each read must end, with or
// without an error, and never panic.
func TestFlipped(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	trials := 400
	if testing.Short() {
		trials = 50
	}
	for name, data := range goldenFiles(t) {
		var failed int
		for i := 0; i < trials; i++ {
			bad := bytes.Clone(data)
			for j := 0; j < 1+rng.IntN(4); j++ {
				bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			}
			if err := readEverything(bad); err != nil {
				failed++
				var e *Error
				if !errors.As(err, &e) {
					t.Errorf("%s: error %v is not an *Error", name, err)
				}
			}
		}
		t.Logf("%s: %d of %d corrupted copies gave an error", name, failed, trials)
	}
}

// FuzzOpen reads arbitrary bytes as HDF5: no panic, no hang. Go minimizes each new input
// before counting it, which is slow for inputs this large: run it with -fuzzminimizetime 2s.
func FuzzOpen(f *testing.F) {
	for _, data := range goldenFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = readEverything(data)
	})
}

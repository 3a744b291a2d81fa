package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tarEntry is one member of a test archive; dir entries have Dir set.
type tarEntry struct {
	Name string
	Body []byte
	Dir  bool
}

// tarBytes builds a tar archive, gzipped when gz is set.
func tarBytes(t *testing.T, entries []tarEntry, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, e := range entries {
		hdr := &tar.Header{Name: e.Name, Mode: 0o644, Size: int64(len(e.Body)), Typeflag: tar.TypeReg}
		if e.Dir {
			hdr = &tar.Header{Name: e.Name, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// gzipBytes compresses b.
func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to dir/name, creating parent directories.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// extractTar writes the regular members of entries under dir.
func extractTar(t *testing.T, dir string, entries []tarEntry) {
	t.Helper()
	for _, e := range entries {
		if e.Dir {
			if err := os.MkdirAll(filepath.Join(dir, e.Name), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		writeFile(t, dir, e.Name, e.Body)
	}
}

// checkErr fails unless err matches the expectation: want nil means no error;
// otherwise err must wrap want and its message contain every fragment.
func checkErr(t *testing.T, err, want error, fragments ...string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want one wrapping %v", want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %q does not wrap %v", err, want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("error %q is not a *datasets.Error", err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

// sharedData returns the project's shared/data directory, found as Locate finds it
// (../shared/data beside the tfrun checkout holding the working directory or the test
// binary), skipping the test when there is none or -short is set.
func sharedData(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("full data sets are skipped in -short mode")
	}
	var searched []string
	for _, p := range projectDataDirs(osSearchEnv()) {
		if isDir(p.path) {
			return p.path
		}
		searched = append(searched, p.path)
	}
	wd, _ := os.Getwd()
	t.Skipf("no shared/data beside a tfrun checkout holding %s or the test binary (searched %q)", wd, searched)
	return ""
}

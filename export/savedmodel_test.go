package export

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Versions: the first export is 1, the next 2; an existing version is refused unless
// forced, and forcing replaces it whole; nothing temporary is left behind.
func TestWriteVersions(t *testing.T) {
	cfg, dir := trainedRun(t, imageYAML, 256)
	m, err := Build(cfg, Options{RunDir: dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := filepath.Join(t.TempDir(), "models", "mnist")
	for _, want := range []string{"1", "2"} {
		got, err := m.Write(base, WriteOptions{})
		if err != nil || got != filepath.Join(base, want) {
			t.Fatalf("Write = %q, %v; want version %s", got, err, want)
		}
	}
	for _, f := range []string{"saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001"} {
		if _, err := os.Stat(filepath.Join(base, "1", f)); err != nil {
			t.Error(err)
		}
	}
	_, err = m.Write(base, WriteOptions{Version: 1})
	if !errors.Is(err, ErrVersionExists) || !strings.Contains(err.Error(), "-force") || !strings.Contains(err.Error(), "versions 1 2") {
		t.Errorf("an existing version: %v, want ErrVersionExists naming -force and the versions", err)
	}
	marker := filepath.Join(base, "1", "left-over")
	os.WriteFile(marker, []byte("x"), 0o644)
	if _, err := m.Write(base, WriteOptions{Version: 1, Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Error("-force kept a file of the old version")
	}
	if _, err := m.Write(base, WriteOptions{Version: 7}); err != nil {
		t.Fatal(err)
	}
	if v, _ := NextVersion(base); v != 8 {
		t.Errorf("next version %d, want 8", v)
	}
	entries, _ := os.ReadDir(base)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"1", "2", "7"}) {
		t.Errorf("the export directory holds %v, want only versions 1, 2, 7", names)
	}
	if _, err := m.Write(base, WriteOptions{Version: -1}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("version -1: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := m.Write(file, WriteOptions{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a file as the export directory: %v", err)
	}
}

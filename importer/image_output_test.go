package importer_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/importer"
)

// A model whose output is an image (testdata/make_image_output.py: a tiny generator) is
// not importable as a run yet: the error says why and names the output's shape, and the
// directory is left as empty as it was.
func TestImageOutputNotImportable(t *testing.T) {
	dir := t.TempDir()
	_, err := importer.Import("../kerasfile/testdata/image_output.keras", importer.Options{Dir: dir})
	if !errors.Is(err, importer.ErrNotImportable) {
		t.Fatalf("Import = %v, want ErrNotImportable", err)
	}
	for _, want := range []string{"image_output.keras", "one output vector per example", "(None, 4, 4, 1)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "a bug") {
		t.Errorf("error %q calls a known limitation a bug", err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("the run directory holds %v (%v), want it empty", entries, err)
	}
}

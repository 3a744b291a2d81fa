package tfrun_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/kerasfile"
)

// ImportKeras writes a Keras file's run directory as tfrun import does (importer/testdata's
// base.keras: a functional CNN of 4 layers and 71 weights, made by make_base.py), and refuses what tfrun
// import refuses, as user errors (exit 2).
func TestImportKeras(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "base")
	im, err := tfrun.ImportKeras(filepath.Join("importer", "testdata", "base.keras"), run, tfrun.ImportOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if im.Sequential || im.Layers != 4 || im.Params != 71 || im.KerasVersion == "" {
		t.Errorf("imported %+v; want a functional model of 4 layers with weights and a Keras version", im)
	}
	if im.Config != filepath.Join(run, "base.yaml") || !strings.HasPrefix(im.Checkpoint, filepath.Join(run, "checkpoints", "ckpt-")) {
		t.Errorf("wrote %s and %s; want %s and a checkpoint in %s", im.Config, im.Checkpoint, filepath.Join(run, "base.yaml"), filepath.Join(run, "checkpoints"))
	}
	if _, err := configs.Load(im.Config); err != nil {
		t.Errorf("the written config: %v", err)
	}

	notKeras := filepath.Join(dir, "model.keras")
	if err := os.WriteFile(notKeras, []byte("not a zip file"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, dir string
		is              error
	}{
		{"a run directory that holds checkpoints", filepath.Join("importer", "testdata", "base.keras"), run, checkpoints.ErrCheckpointsExist},
		{"no such file", filepath.Join(dir, "nope.keras"), filepath.Join(dir, "a"), fs.ErrNotExist},
		{"not a Keras file", notKeras, filepath.Join(dir, "b"), kerasfile.ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tfrun.ImportKeras(tc.file, tc.dir, tfrun.ImportOptions{})
			if !errors.Is(err, tc.is) || !strings.HasPrefix(err.Error(), "import: ") || !tfrun.IsUserError(err) {
				t.Errorf("got %v; want a user error wrapping %v, starting import:", err, tc.is)
			}
		})
	}
}

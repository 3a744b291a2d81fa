package tfrun_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
)

// A loaded config's model, fitted with a RunDir, exports the SavedModel tfrun export
// writes, which export.Load serves; a model built in Go is refused.
func TestExport(t *testing.T) {
	const path = "configs/wine.yaml"
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Data.Path); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", cfg.Data.Path, err)
	}
	ctx := context.Background()
	m, err := tfrun.LoadConfig(path, tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	run := t.TempDir()
	data, err := m.LoadData(ctx, "", run, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(ctx, data.Train, tfrun.Epochs(2), tfrun.RunDir(run)); err != nil {
		t.Fatal(err)
	}
	dir, err := m.Export(run, filepath.Join(t.TempDir(), "models"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "1" {
		t.Errorf("exported to %s, want version 1", dir)
	}
	sm, err := export.Load(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	if _, ok := sm.Signatures()["serving_default"]; !ok {
		t.Errorf("signatures %v: no serving_default", sm.Signatures())
	}

	g := wineModel(t)
	if _, err := g.Export(run, t.TempDir()); !errors.Is(err, export.ErrUnsupported) {
		t.Errorf("a model built in Go: err = %v, want export.ErrUnsupported", err)
	}
}

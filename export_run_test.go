package tfrun_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/export"
)

// ExportRun writes a run's checkpoint as tfrun export does: the next version, the
// checkpoint it names, the signatures tfrun export prints; what tfrun export refuses, it
// refuses as a user error (exit 2).
func TestExportRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the wine table")
	}
	dir := t.TempDir()
	cfg := loadConfig(t, dir, "wine.yaml", "")
	runDir, _ := trainRun(t, dir, cfg, 64)
	models := filepath.Join(dir, "models")

	e, err := tfrun.ExportRun(cfg, models, tfrun.ExportRunOptions{RunDir: runDir, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if e.Dir != filepath.Join(models, "1") || e.Kind != "table_classifier" || !strings.Contains(e.Checkpoint, "ckpt-") {
		t.Errorf("exported %+v; want version 1 of a table_classifier from a ckpt-N", e)
	}
	sig, ok := e.Signatures[export.DefaultSignature]
	if !ok {
		t.Fatalf("signatures %v: no %s", e.Signatures, export.DefaultSignature)
	}
	var outputs []string
	for _, o := range sig.Outputs {
		outputs = append(outputs, o.Name)
	}
	if want := []string{"class_id", "label", "probabilities", "probability"}; !slices.Equal(outputs, want) {
		t.Errorf("serving_default gives %v, want %v (sorted by name)", outputs, want)
	}
	if len(sig.Inputs) != 1 || sig.Inputs[0].String() != "features float32[None, 13]" {
		t.Errorf("serving_default takes %v, want [features float32[None, 13]] (as tfrun export prints it)", sig.Inputs)
	}

	next, err := tfrun.ExportRun(cfg, models, tfrun.ExportRunOptions{RunDir: runDir, Checkpoint: tfrun.CheckpointLatest})
	if err != nil || next.Dir != filepath.Join(models, "2") {
		t.Errorf("a second export: %v, %v; want version 2", next, err)
	}
	if _, err := tfrun.ExportRun(cfg, models, tfrun.ExportRunOptions{RunDir: runDir, Version: 1, Force: true}); err != nil {
		t.Errorf("Force over version 1: %v", err)
	}

	for _, tc := range []struct {
		name string
		o    tfrun.ExportRunOptions
		is   error
		want string
	}{
		{"version exists", tfrun.ExportRunOptions{RunDir: runDir, Version: 1}, export.ErrVersionExists, "version 1 exists already; -force replaces it"},
		{"no checkpoint", tfrun.ExportRunOptions{RunDir: filepath.Join(dir, "nowhere")}, checkpoints.ErrNoCheckpoint, "no checkpoint"},
		{"no such checkpoint", tfrun.ExportRunOptions{RunDir: runDir, Checkpoint: "ckpt-999"}, checkpoints.ErrNoCheckpoint, "ckpt-999"},
		{"bad checkpoint", tfrun.ExportRunOptions{RunDir: runDir, Checkpoint: "newest"}, export.ErrInvalidArgument, `-checkpoint "newest": want latest, best or ckpt-N`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tfrun.ExportRun(cfg, models, tc.o)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) || !tfrun.IsUserError(err) {
				t.Errorf("got %v; want a user error wrapping %v saying %q", err, tc.is, tc.want)
			}
		})
	}
}

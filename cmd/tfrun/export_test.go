package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A conditional GAN exports its generator (noise and class in, uint8 images out); predict
// refuses it and says what to use.
func TestExportGAN(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	config := saveConfig(t, dir, "cgan.yaml", tinyCGANYAML)
	runDir, models := filepath.Join(dir, "run"), filepath.Join(dir, "models")
	train(t, config, runDir, "128")
	code, out, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models, "-version", "3")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	want := "(gan generator) to " + filepath.Join(models, "3") + "\n  serving_default  class_id int32[None], noise float32[None, 8] → images uint8[None, 28, 28, 1]\n"
	if !strings.Contains(out, want) {
		t.Errorf("export says %q, want %q", out, want)
	}
	if code, _, stderr := runCLI(t, "predict", "-model", models, "x"); code != 2 || !strings.Contains(stderr, "tfrun generate") {
		t.Errorf("predict on a generator: exit %d, %q", code, stderr)
	}
}

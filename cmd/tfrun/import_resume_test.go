package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
)

// -resume on a directory tfrun import wrote: it holds Keras's weights and no training (no
// epoch, optimizer step or history), so there is nothing to resume. -resume and
// -resume-or-start exit 2 saying so and what to do: run the config without -resume into
// another directory, which starts from these weights at epoch 0 (train.initial_weights
// names the imported directory); that run works, and the imported directory is left as
// it was.
func TestResumeImportedDirectory(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "cnn")
	if code, _, stderr := runCLI(t, "import", filepath.Join(kerasTestdata, "cnn.keras"), "-out", run); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	// The imported config's data: a folder of 12×12 gray images of its 5 classes.
	images := filepath.Join(dir, "images")
	for c := range 5 {
		d := filepath.Join(images, fmt.Sprintf("class_%d", c))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			img := image.NewGray(image.Rect(0, 0, 12, 12))
			for j := range img.Pix {
				img.Pix[j] = uint8((j*(c+1) + 40*i) % 256)
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("%d.png", i)), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	config := filepath.Join(run, "cnn.yaml")
	b, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("  path: images\n")) {
		t.Fatalf("%s has no data.path placeholder:\n%s", config, b)
	}
	if err := os.WriteFile(config, bytes.Replace(b, []byte("  path: images\n"), []byte("  path: "+images+"\n"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	imported := filepath.Join(run, "checkpoints", "ckpt-0")
	before := listDir(t, filepath.Join(run, "checkpoints"))

	tests := []struct {
		flag string
		want []string
	}{
		{"-resume", []string{"no checkpoint to resume from", "which tfrun import wrote of", "no training to resume", "run it without -resume, into another directory (-out DIR)", "from epoch 0"}},
		{"-resume-or-start", []string{"the run directory holds checkpoints", "no training to resume, and a fresh run does not train into it", "into another directory (-out DIR)"}},
		{"", []string{"the run directory holds checkpoints", "a run does not train into it", "run it into another directory (-out DIR)"}},
	}
	for _, tc := range tests {
		args := []string{"-config", config, "-out", run}
		if tc.flag != "" {
			args = append(args, tc.flag)
		}
		code, _, stderr := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2: %s", tc.flag, code, stderr)
		}
		for _, s := range append(tc.want, imported) {
			if !strings.Contains(stderr, s) {
				t.Errorf("%q: stderr %q lacks %q", tc.flag, stderr, s)
			}
		}
	}
	if after := listDir(t, filepath.Join(run, "checkpoints")); after != before {
		t.Errorf("the refused runs changed the imported directory: %s, was %s", after, before)
	}

	// What the message says to do: the config, into another directory, from epoch 0.
	other := filepath.Join(dir, "trained")
	code, out, stderr := runCLI(t, "-config", config, "-out", other, "-verbose", "2")
	if code != 0 {
		t.Fatalf("run into another directory: exit %d: %s", code, stderr)
	}
	for _, s := range []string{"Initial weights from " + imported, "Epoch 1/1"} {
		if !strings.Contains(out, s) {
			t.Errorf("the run's log lacks %q:\n%s", s, out)
		}
	}
	if p, err := checkpoints.Latest(filepath.Join(other, "checkpoints")); err != nil || p == "" || checkpoints.ImportedFrom(p) != "" {
		t.Errorf("the run's latest checkpoint %q (%v) is not its own", p, err)
	}
	if after := listDir(t, filepath.Join(run, "checkpoints")); after != before {
		t.Errorf("the run changed the imported directory: %s, was %s", after, before)
	}
}

// listDir is dir's file names, sorted, joined by spaces (not the lock file a run leaves).
func listDir(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return strings.Join(names, " ")
}

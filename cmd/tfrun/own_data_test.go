package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/internal/runtest"
)

// TestOwnDataErrors: bad own data reaches the user named (the file, the line of a CSV)
// with exit 1, a config that does not suit it with exit 2, and no run leaves a checkpoint.
func TestOwnDataErrors(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(root, "empty")
	if err := os.MkdirAll(filepath.Join(empty, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(empty, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("single/only/1.txt", "just one class")
	write("latin1/neg/1.txt", "fine")
	write("latin1/pos/2.txt", "caf\xe9")
	ragged := write("ragged.csv", "x1,x2,y\n1,2,a\n3,4,b\n5,b\n")
	nonNumeric := write("text.csv", "x1,x2,y\n1,2,a\n3,four,b\n")
	oneLabel := write("one.csv", "x1,y\n1,a\n2,a\n")
	colours := filepath.Join(root, "colours")
	runtest.OwnImages(t, colours, map[string]color.RGBA{"r": {200, 0, 0, 255}, "g": {0, 200, 0, 255}, "b": {0, 0, 200, 255}}, 2, 4, 1)
	write("colours/r/broken.png", "\x89PNG\r\n\x1a\nnot really")

	text := func(path string) string {
		return fmt.Sprintf(`data: {format: text_directory, path: %s, num_words: 50, maxlen: 5}
model: {layers: [{type: Embedding, input_dim: 50, output_dim: 4}, {type: Flatten}, {type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}`, path)
	}
	csv := func(path string) string {
		return fmt.Sprintf(`data: {format: csv, path: %s, label: y}
model: {layers: [{type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}`, path)
	}
	for _, tc := range []struct {
		name, body string
		code       int
		want       []string
	}{
		{"empty folder", text(empty), 1, []string{empty, "no"}},
		{"single class", text(filepath.Join(root, "single")), 1, []string{"single", "only"}},
		{"non-UTF-8 text", text(filepath.Join(root, "latin1")), 1, []string{filepath.Join("latin1", "pos", "2.txt"), "UTF-8"}},
		{"ragged CSV", csv(ragged), 1, []string{ragged, "line 4"}},
		{"non-numeric CSV", csv(nonNumeric), 1, []string{nonNumeric, "line 3", "four"}},
		{"missing label column", strings.Replace(csv(ragged), "label: y", "label: z", 1), 1, []string{ragged, `"z"`}},
		{"one label value", csv(oneLabel), 1, []string{oneLabel}},
		{"broken image", fmt.Sprintf(`data: {format: image_directory, path: %s, image_size: [4, 4]}
model: {layers: [{type: Flatten}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}`, colours), 1, []string{"broken.png"}},
		{"binary loss on 3 classes", fmt.Sprintf(`data: {format: image_directory, path: %s, image_size: [4, 4]}
model: {layers: [{type: Flatten}, {type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}`, colours), 2, []string{"train.loss", "3 classes", "sparse_categorical_crossentropy"}},
		{"unknown format", `data: {format: parquet, path: x}
model: {layers: [{type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}`, 2, []string{"data.format", "parquet", "csv, image_directory, text_directory"}},
		{"key of another format", `data: {format: csv, path: x, label: y, maxlen: 3}
model: {layers: [{type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}`, 2, []string{"data.maxlen", "not a key of format csv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "own.yaml")
			if err := os.WriteFile(cfg, []byte("task: classifier\n"+tc.body+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "run")
			code, _, stderr := runCLI(t, "-config", cfg, "-out", out, "-threads", "1")
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
			ckpts, _ := filepath.Glob(filepath.Join(out, "checkpoints", "ckpt-*"))
			if len(ckpts) > 0 {
				t.Errorf("checkpoints left: %v", ckpts)
			}
		})
	}
}

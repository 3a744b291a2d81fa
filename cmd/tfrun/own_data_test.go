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
		{"broken image, streamed", fmt.Sprintf(`data: {format: image_directory, path: %s, image_size: [4, 4], cache: false}
model: {layers: [{type: Flatten}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}`, colours), 1, []string{"broken.png", "header"}},
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

// folderCGAN is a tiny conditional GAN on an image folder of 8×8 grayscale images.
const folderCGAN = `name: folder_cgan
task: gan
data: {format: image_directory, path: %s, image_size: [8, 8], color_mode: grayscale}
gan:
  noise_dim: 8
  batch_size: 8
  epochs: 1
  num_classes: 3
  sample_grid: [3, 2]
  generator:
    label_branch:
      - {type: Embedding, input_dim: 3, output_dim: 5}
      - {type: Dense, units: 4}
      - {type: Reshape, target_shape: [2, 2, 1]}
    input_branch:
      - {type: Dense, units: 32}
      - {type: Reshape, target_shape: [2, 2, 8]}
    layers:
      - {type: Concatenate}
      - {type: Conv2DTranspose, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: Conv2DTranspose, filters: 1, kernel_size: 3, strides: 2, padding: same, activation: tanh}
  discriminator:
    label_branch:
      - {type: Embedding, input_dim: 3, output_dim: 5}
      - {type: Dense, units: 64}
      - {type: Reshape, target_shape: [8, 8, 1]}
    layers:
      - {type: Concatenate}
      - {type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same}
      - {type: Flatten}
      - {type: Dense, units: 1}
`

// TestEvaluateGANImageDirectory: a GAN trained on an image folder is scored by a
// classifier trained on the same folder (given with -classifier; there is no default), its
// generated images mapped from the GAN's [-1, 1] to the classifier's [0, 1].
func TestEvaluateGANImageDirectory(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "shades")
	runtest.OwnImages(t, folder, map[string]color.RGBA{"dark": {20, 20, 20, 255}, "grey": {128, 128, 128, 255}, "light": {230, 230, 230, 255}}, 20, 8, 1)
	gan := saveConfig(t, dir, "gan.yaml", fmt.Sprintf(folderCGAN, folder))
	clf := saveConfig(t, dir, "clf.yaml", fmt.Sprintf(`name: shades
task: classifier
data: {format: image_directory, path: %s, image_size: [8, 8], color_mode: grayscale, validation_split: 0.25}
model: {layers: [{type: Flatten}, {type: Dense, units: 4, activation: relu}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 3, batch_size: 8, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.02}}
`, folder))
	csvPath := filepath.Join(dir, "t.csv")
	runtest.IrisLike(t, csvPath, 30, 1)
	table := saveConfig(t, dir, "table.yaml", fmt.Sprintf(`name: table
task: classifier
data: {format: csv, path: %s, label: species}
model: {layers: [{type: Dense, units: 3, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`, csvPath))
	ganRun, clfRun := filepath.Join(dir, "gan_run"), filepath.Join(dir, "clf_run")
	for _, r := range [][2]string{{gan, ganRun}, {clf, clfRun}} {
		if code, _, stderr := runCLI(t, "-config", r[0], "-out", r[1], "-threads", "1"); code != 0 {
			t.Fatalf("training %s: exit %d: %s", r[0], code, stderr)
		}
	}
	t.Run("no default classifier", func(t *testing.T) {
		code, _, stderr := runCLI(t, "evaluate-gan", "-config", gan, "-run", ganRun)
		if code != 2 || !strings.Contains(stderr, "no default scoring classifier") || !strings.Contains(stderr, "-classifier") {
			t.Errorf("exit %d, %q; want 2 and a message asking for -classifier", code, stderr)
		}
	})
	t.Run("a classifier of a table", func(t *testing.T) {
		code, _, stderr := runCLI(t, "evaluate-gan", "-config", gan, "-run", ganRun, "-classifier", table, "-classifier-run", clfRun)
		if code == 0 || !strings.Contains(stderr, "must train on an image_directory") {
			t.Errorf("exit %d, %q; want an error saying the classifier must train on an image_directory", code, stderr)
		}
	})
	t.Run("scored", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "evaluate-gan", "-config", gan, "-run", ganRun, "-classifier", clf, "-classifier-run", clfRun, "-n", "100", "-threads", "1")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"Generated 15 images", "Fréchet distance", "Conditional accuracy"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		if _, err := os.Stat(filepath.Join(ganRun, "gan_metrics.json")); err != nil {
			t.Error(err)
		}
	})
}

// TestExportAndPredictOwnData: a run on own data predicts (from the run, and exported as a
// SavedModel) with what training used: the CSV's saved Normalization, an image folder's
// image_size, color_mode and scale (another size resized as training resized), a text
// folder's vocabulary; and each names its classes from class_names.json.
func TestExportAndPredictOwnData(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "iris.csv")
	runtest.IrisLike(t, csvPath, 150, 1)
	images := filepath.Join(dir, "colours")
	runtest.OwnImages(t, images, map[string]color.RGBA{"blue": {0, 0, 200, 255}, "green": {0, 200, 0, 255}, "red": {200, 0, 0, 255}}, 12, 8, 1)
	texts := filepath.Join(dir, "texts")
	runtest.OwnTexts(t, texts, map[string][]string{"neg": {"bad", "awful", "boring", "worst"}, "pos": {"good", "great", "superb", "best"}}, 40, 1)
	bigRed := filepath.Join(dir, "big_red.png")
	runtest.OwnImages(t, filepath.Join(dir, "probe"), map[string]color.RGBA{"red": {200, 0, 0, 255}}, 1, 13, 5)
	if err := os.Rename(filepath.Join(dir, "probe", "red", "img_000.png"), bigRed); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body string
		inputs     []string // predicted as the labels want says
		images     bool
		want       []string
		bad        string // an input that must get an error line
		badErr     string
	}{
		{"csv", fmt.Sprintf(`name: iris
task: classifier
data: {format: csv, path: %s, label: species}
model: {layers: [{type: Dense, units: 8, activation: relu}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 30, batch_size: 16, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.05}}
`, csvPath), []string{"5,100,0,0", "6.1, 89.5, 1, -2", "7,80,2.1,-4"}, false, []string{"setosa", "versicolor", "virginica"}, "5,100,zero,0", `value 3, "zero"`},
		{"image_directory", fmt.Sprintf(`name: colours
task: classifier
data: {format: image_directory, path: %s, image_size: [8, 8]}
model: {layers: [{type: Flatten}, {type: Dense, units: 3, activation: softmax}]}
train: {epochs: 20, batch_size: 8, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.02}}
`, images), []string{filepath.Join(images, "blue", "img_003.png"), bigRed}, true, []string{"blue", "red"}, filepath.Join(dir, "nothing.png"), "no such file"},
		{"text_directory", fmt.Sprintf(`name: reviews
task: classifier
data: {format: text_directory, path: %s, num_words: 50, maxlen: 12}
model: {layers: [{type: Embedding, input_dim: 50, output_dim: 8}, {type: GlobalAveragePooling1D}, {type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 20, batch_size: 16, optimizer: {type: Adam, learning_rate: 0.05}}
`, texts), []string{"good great superb best", "bad awful worst boring"}, false, []string{"pos", "neg"}, "caf\xe9", "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := saveConfig(t, dir, tc.name+".yaml", tc.body)
			runDir, models := filepath.Join(dir, tc.name+"_run"), filepath.Join(dir, tc.name+"_models")
			if code, _, stderr := runCLI(t, "-config", config, "-out", runDir, "-threads", "1"); code != 0 {
				t.Fatalf("training: exit %d: %s", code, stderr)
			}
			args := append([]string{}, tc.inputs...)
			if tc.images {
				args = append([]string{"-images"}, args...)
			}
			code, out, stderr := runCLI(t, append([]string{"predict", "-config", config, "-run", runDir}, args...)...)
			if code != 0 {
				t.Fatalf("predict: exit %d: %s", code, stderr)
			}
			ps := parsePredictions(t, out)
			if len(ps) != len(tc.want) {
				t.Fatalf("%d predictions, want %d:\n%s", len(ps), len(tc.want), out)
			}
			for i, p := range ps {
				if p.Label != tc.want[i] {
					t.Errorf("input %q: label %q, want %q (%s)", tc.inputs[i], p.Label, tc.want[i], out)
				}
			}
			badArgs := []string{"predict", "-config", config, "-run", runDir, tc.bad}
			if tc.images {
				badArgs = []string{"predict", "-config", config, "-run", runDir, "-images", tc.bad}
			}
			code, bad, _ := runCLI(t, badArgs...)
			if bp := parsePredictions(t, bad); code != 1 || len(bp) != 1 || !strings.Contains(bp[0].Error, tc.badErr) {
				t.Errorf("bad input %q: exit %d, %s; want 1 and an error saying %q", tc.bad, code, bad, tc.badErr)
			}
			if tc.images {
				return // a SavedModel takes images of the model's size only; bigRed is not
			}
			if code, _, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", models); code != 0 {
				t.Fatalf("export: exit %d: %s", code, stderr)
			}
			code, saved, stderr := runCLI(t, append([]string{"predict", "-model", models}, args...)...)
			if code != 0 {
				t.Fatalf("predict -model: exit %d: %s", code, stderr)
			}
			if saved != out {
				t.Errorf("the SavedModel predicts\n%s\nthe run\n%s", saved, out)
			}
		})
	}
}

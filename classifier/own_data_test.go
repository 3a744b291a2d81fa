package classifier

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// runOwn loads body (with %s replaced by the data folder) and runs it single-threaded.
func runOwn(t *testing.T, body string) (*Metrics, string, error) {
	t.Helper()
	cfg := runtest.LoadConfig(t, body)
	out := t.TempDir()
	m, err := Run(context.Background(), cfg, runner.Options{OutDir: out, Threads: 1, Out: &strings.Builder{}})
	return m, out, err
}

var sentiment = map[string][]string{"neg": {"bad", "awful", "boring", "worst"}, "pos": {"good", "great", "superb", "best"}}

func TestTextDirectoryRun(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnTexts(t, filepath.Join(dir, "train"), sentiment, 60, 1)
	runtest.OwnTexts(t, filepath.Join(dir, "test"), sentiment, 20, 2)
	if err := os.WriteFile(filepath.Join(dir, "train", "pos", "notes.md"), []byte("skip me"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, out, err := runOwn(t, fmt.Sprintf(`name: own_text
task: classifier
data: {format: text_directory, path: %s, test_path: %s, validation_split: 0.25, seed: 3, num_words: 100, maxlen: 12}
model:
  layers:
    - {type: Embedding, input_dim: 100, output_dim: 8}
    - {type: GlobalAveragePooling1D}
    - {type: Dense, units: 1, activation: sigmoid}
train: {epochs: 12, batch_size: 16, optimizer: {type: Adam, learning_rate: 0.05}}
`, filepath.Join(dir, "train"), filepath.Join(dir, "test")))
	if err != nil {
		t.Fatal(err)
	}
	if m.TestData != TestDataTestPath || m.TestExamples != 40 || m.TrainExamples != 90 {
		t.Errorf("metrics: test_data %q, %d test, %d train examples; want %q, 40, 90", m.TestData, m.TestExamples, m.TrainExamples, TestDataTestPath)
	}
	if m.TestAccuracy < 0.9 {
		t.Errorf("test accuracy %.3f, want >= 0.9 on separable texts", m.TestAccuracy)
	}
	var h runner.History
	runtest.ReadJSON(t, filepath.Join(out, "history.json"), &h)
	if len(h.Metrics["val_loss"]) != 12 {
		t.Errorf("history has %d val_loss values, want 12 (data.validation_split validates)", len(h.Metrics["val_loss"]))
	}
	var classes []string
	runtest.ReadJSON(t, filepath.Join(out, ClassNamesFile), &classes)
	if !slices.Equal(classes, []string{"neg", "pos"}) {
		t.Errorf("class_names.json %v, want [neg pos]", classes)
	}
	v, err := datasets.LoadVocabulary(filepath.Join(out, "vocabulary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Index("the") < datasets.IndexFrom || v.NumWords() != 100 {
		t.Errorf("vocabulary: the → %d, num_words %d", v.Index("the"), v.NumWords())
	}
}

var colours = map[string]color.RGBA{"blue": {0, 0, 200, 255}, "green": {0, 200, 0, 255}, "red": {200, 0, 0, 255}}

func TestImageDirectoryRun(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, colours, 20, 10, 1)
	m, out, err := runOwn(t, fmt.Sprintf(`name: own_images
task: classifier
data: {format: image_directory, path: %s, image_size: [8, 8], validation_split: 0.25}
model:
  layers:
    - {type: Conv2D, filters: 4, kernel_size: 3, activation: relu}
    - {type: MaxPooling2D}
    - {type: Flatten}
    - {type: Dense, units: 3, activation: softmax}
train: {epochs: 15, batch_size: 9, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.02}}
`, dir))
	if err != nil {
		t.Fatal(err)
	}
	if m.TestData != TestDataValidation || m.TestExamples != 15 {
		t.Errorf("metrics: test_data %q on %d examples, want %q on 15", m.TestData, m.TestExamples, TestDataValidation)
	}
	if m.TestAccuracy < 0.9 {
		t.Errorf("accuracy %.3f, want >= 0.9 on three colours", m.TestAccuracy)
	}
	var classes []string
	runtest.ReadJSON(t, filepath.Join(out, ClassNamesFile), &classes)
	if !slices.Equal(classes, []string{"blue", "green", "red"}) {
		t.Errorf("class_names.json %v, want [blue green red] (alphanumeric)", classes)
	}
}

func TestImageDirectoryScale(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, map[string]color.RGBA{"a": {255, 255, 255, 255}, "b": {0, 0, 0, 255}}, 2, 4, 1)
	files := datasets.LabeledFiles{Paths: []string{filepath.Join(dir, "a", "img_000.png"), filepath.Join(dir, "b", "img_000.png")}, Labels: []int{0, 1}}
	o := datasets.ImageLoadOptions{ImageSize: [2]int{4, 4}}
	for _, tc := range []struct {
		scale    string
		min, max float32
	}{{"unit", 0, 1}, {"tanh", -1, 1}} {
		pix, labels, shape, err := ReadImageFiles(context.Background(), files, o, tc.scale)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shape, []int{4, 4, 3}) || !slices.Equal(labels, []int32{0, 1}) {
			t.Errorf("%s: shape %v labels %v", tc.scale, shape, labels)
		}
		if lo, hi := slices.Min(pix), slices.Max(pix); lo < tc.min || hi > tc.max || hi-lo < (tc.max-tc.min)/2 {
			t.Errorf("%s: pixels in [%g, %g], want within [%g, %g]", tc.scale, lo, hi, tc.min, tc.max)
		}
	}
}

func TestCSVRun(t *testing.T) {
	dir := t.TempDir()
	runtest.IrisLike(t, filepath.Join(dir, "train.csv"), 150, 1)
	runtest.IrisLike(t, filepath.Join(dir, "test.csv"), 60, 2)
	m, out, err := runOwn(t, fmt.Sprintf(`name: own_csv
task: classifier
data: {format: csv, path: %s, test_path: %s, label: species, validation_split: 0.2}
model:
  layers:
    - {type: Dense, units: 8, activation: relu}
    - {type: Dense, units: 3, activation: softmax}
train: {epochs: 20, batch_size: 16, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.05}}
`, filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if m.TestData != TestDataTestPath || m.TestExamples != 60 || m.TrainExamples != 120 {
		t.Errorf("metrics: %q, %d test, %d train; want %q, 60, 120", m.TestData, m.TestExamples, m.TrainExamples, TestDataTestPath)
	}
	if m.TestAccuracy < 0.95 {
		t.Errorf("test accuracy %.3f, want >= 0.95 on three clusters", m.TestAccuracy)
	}
	var n Normalization
	runtest.ReadJSON(t, filepath.Join(out, NormalizationFile), &n)
	if !slices.Equal(n.FeatureNames, []string{"x1", "x2", "x3", "x4"}) || !slices.Equal(n.ClassNames, []string{"setosa", "versicolor", "virginica"}) ||
		len(n.Mean) != 4 || n.Mean[1] < 80 || n.Mean[1] > 100 || n.Variance[1] < 10 {
		t.Errorf("normalization.json %+v: want x1..x4, the three species, x2's mean near 90 and variance near 67", n)
	}
}

// TestOwnDataClasses: a loss or output that does not suit the folders' classes is a
// config error (exit 2), found before anything is trained.
func TestOwnDataClasses(t *testing.T) {
	dir := t.TempDir()
	runtest.OwnImages(t, dir, colours, 2, 4, 1)
	for _, tc := range []struct{ name, loss, out, want string }{
		{"binary loss, 3 classes", "binary_crossentropy", "{type: Dense, units: 1, activation: sigmoid}", "train.loss: binary_crossentropy, but"},
		{"too few units", "sparse_categorical_crossentropy", "{type: Dense, units: 2, activation: softmax}", "model.layers[1].units: 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, err := runOwn(t, fmt.Sprintf(`name: bad
task: classifier
data: {format: image_directory, path: %s, image_size: [4, 4]}
model: {layers: [{type: Flatten}, %s]}
train: {epochs: 1, loss: %s}
`, dir, tc.out, tc.loss))
			if !errors.Is(err, assemble.ErrModelConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want an ErrModelConfig saying %q", err, tc.want)
			}
			if ents, _ := os.ReadDir(filepath.Join(out, "checkpoints")); slices.ContainsFunc(ents, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), "ckpt-") }) {
				t.Errorf("a checkpoint was written: %v", ents)
			}
		})
	}
}

func TestNaturalCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"9_1.txt", "10_1.txt", -1},
		{"10_1.txt", "9_1.txt", 1},
		{"a/100_2.txt", "a/100_10.txt", -1},
		{"007.txt", "7.txt", 0},
		{"b.txt", "a.txt", 1},
		{"x", "x1", -1},
	} {
		if got := naturalCompare(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

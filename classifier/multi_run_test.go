package classifier

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
	"github.com/tfrun/tfrun/tensorboard"
)

// reviewsConfig is a model of two inputs and two outputs fed by name from a CSV.
const reviewsConfig = `name: reviews
task: classifier
data:
  format: csv
  path: %s
  test_path: %s
  validation_split: 0.25
  inputs: {numbers: [price, stars], extra: length}
  outputs: {class: sentiment, value: rating}
model:
  inputs: {numbers: {shape: [2]}, extra: {shape: [1]}}
  layers:
    - {name: join, type: Concatenate, call: [numbers, extra]}
    - {name: hidden, type: Dense, units: 16, activation: relu}
    - {name: class, type: Dense, units: 3, activation: softmax, call: hidden}
    - {name: value, type: Dense, units: 1, call: hidden}
  outputs: [class, value]
train:
  epochs: %d
  batch_size: 16
  loss: {class: sparse_categorical_crossentropy, value: mse}
  loss_weights: {class: 1.0, value: 0.5}
  metrics: {class: [accuracy], value: [mae]}
  optimizer: {type: Adam, learning_rate: 0.03}
  callbacks:
    - {type: EarlyStopping, monitor: val_class_loss, patience: 100, restore_best_weights: true}
    - {type: CSVLogger, filename: log.csv}
    - {type: TensorBoard}
checkpoint: {every: 1}
`

// tfrun trains a model of two inputs and two outputs from one CSV end to end: the run
// directory's history, CSV log and metrics.json carry Keras's per-output names, and an
// interrupted run resumed from its checkpoint ends with the same numbers bit for bit.
func TestMultiIORun(t *testing.T) {
	dir := t.TempDir()
	train, test := filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")
	writeReviews(t, train, 200, 0)
	writeReviews(t, test, 40, 1000)
	const epochs = 20
	cfg := runtest.LoadConfig(t, fmt.Sprintf(reviewsConfig, train, test, epochs))
	out := t.TempDir()
	m, err := Run(context.Background(), cfg, runner.Options{OutDir: out, Threads: 1, Out: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if m.TestMetrics["class_accuracy"] < 0.9 || m.TestMetrics["value_loss"] > 0.05 || m.EpochsRun != epochs {
		t.Errorf("metrics.json: %+v", m)
	}
	var h struct {
		Metrics map[string][]float64 `json:"metrics"`
	}
	runtest.ReadJSON(t, filepath.Join(out, "history.json"), &h)
	for _, key := range []string{"loss", "class_loss", "class_accuracy", "value_loss", "value_mae",
		"val_loss", "val_class_loss", "val_class_accuracy", "val_value_loss", "val_value_mae"} {
		if len(h.Metrics[key]) != epochs {
			t.Errorf("history %s: %d values, want %d", key, len(h.Metrics[key]), epochs)
		}
	}
	header, err := os.ReadFile(filepath.Join(out, "log.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(header), "\n"); !strings.Contains(first, "val_class_accuracy") || !strings.Contains(first, "value_mae") {
		t.Errorf("CSVLogger header %q", first)
	}
	// TensorBoard: Keras's tags, epoch_<name>, the val_ twins in logs/validation.
	for sub, want := range map[string][]string{
		"train":      {"epoch_loss", "epoch_class_loss", "epoch_class_accuracy", "epoch_value_loss", "epoch_value_mae"},
		"validation": {"epoch_loss", "epoch_class_loss", "epoch_class_accuracy", "epoch_value_loss", "epoch_value_mae"},
	} {
		files, err := tensorboard.Files(filepath.Join(out, "logs", sub))
		if err != nil || len(files) == 0 {
			t.Fatalf("TensorBoard %s files: %v, %v", sub, files, err)
		}
		tags := map[string]int{}
		for _, f := range files {
			events, err := tensorboard.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				for _, v := range e.GetSummary().GetValue() {
					tags[v.Tag]++
				}
			}
		}
		for _, tag := range want {
			if tags[tag] != epochs {
				t.Errorf("TensorBoard %s: %s at %d epochs, want %d (tags %v)", sub, tag, tags[tag], epochs, tags)
			}
		}
	}
	for _, f := range []string{"summary.txt", "model.dot", "model.svg", "curves.png", "metrics.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}

	// Interrupted after 7 epochs, then resumed: the same history as the run above.
	out2 := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stop := &stopAfter{n: 7, cancel: cancel}
	_, err = Run(ctx, cfg, runner.Options{OutDir: out2, Threads: 1, Out: stop})
	if !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("interrupted run: %v, want ErrInterrupted", err)
	}
	var resumed strings.Builder
	if _, err := Run(context.Background(), cfg, runner.Options{OutDir: out2, Threads: 1, Out: &resumed, Resume: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resumed.String(), "Resumed from") || strings.Contains(resumed.String(), "Epoch 1/") {
		t.Errorf("the second run did not resume mid-run:\n%s", resumed.String())
	}
	var h2 struct {
		Metrics map[string][]float64 `json:"metrics"`
	}
	runtest.ReadJSON(t, filepath.Join(out2, "history.json"), &h2)
	for _, key := range []string{"loss", "class_accuracy", "val_value_mae"} {
		if !slices.Equal(h.Metrics[key], h2.Metrics[key]) {
			t.Errorf("%s resumed %v\nuninterrupted %v", key, h2.Metrics[key], h.Metrics[key])
		}
	}
}

// stopAfter cancels a run once its progress output has reported n epochs.
type stopAfter struct {
	n      int
	cancel func()
	b      strings.Builder
}

func (s *stopAfter) Write(p []byte) (int, error) {
	s.b.Write(p)
	if strings.Count(s.b.String(), "Epoch ") >= s.n {
		s.cancel()
	}
	return len(p), nil
}

// A text column feeds an Embedding through the text_directory pipeline, beside a numeric
// input: the run learns a class from the words and saves the input's vocabulary.
func TestMultiIORunText(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("price,body,sentiment,rating\n")
	words := map[string][]string{"bad": {"awful", "broken", "worst"}, "good": {"great", "superb", "best"}}
	for i := range 160 {
		class := []string{"bad", "good"}[i%2]
		w := words[class]
		fmt.Fprintf(&b, "%d,\"It was %s, %s.\",%s,%.2f\n", i%9, w[i%3], w[(i/3)%3], class, float64(i%9)/4)
	}
	path := filepath.Join(dir, "t.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := runtest.LoadConfig(t, fmt.Sprintf(`name: reviews_text
task: classifier
data:
  format: csv
  path: %s
  validation_split: 0.25
  inputs: {numbers: [price], review: {text: body, num_words: 20, maxlen: 5}}
  outputs: {class: sentiment, value: rating}
model:
  inputs: {numbers: {shape: [1]}, review: {shape: [5], dtype: int32}}
  layers:
    - {name: emb, type: Embedding, input_dim: 20, output_dim: 4, call: review}
    - {name: pool, type: GlobalAveragePooling1D}
    - {name: join, type: Concatenate, call: [numbers, pool]}
    - {name: hidden, type: Dense, units: 8, activation: relu}
    - {name: class, type: Dense, units: 1, activation: sigmoid, call: pool}
    - {name: value, type: Dense, units: 1, call: hidden}
  outputs: [class, value]
train:
  epochs: 15
  batch_size: 16
  loss: {class: binary_crossentropy, value: mse}
  optimizer: {type: Adam, learning_rate: 0.05}
`, path))
	out := t.TempDir()
	m, err := Run(context.Background(), cfg, runner.Options{OutDir: out, Threads: 1, Out: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if m.TestData != TestDataValidation || m.TestMetrics["class_accuracy"] < 0.95 {
		t.Errorf("metrics.json: %+v, want class_accuracy ≥ 0.95 on the validation rows", m)
	}
	for _, f := range []string{"vocabulary_review.json", "normalization_numbers.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

package runner

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/tfrun/tfrun/tensorboard"
)

// stepTrainer is a dirTrainer whose global step and position the test sets.
type stepTrainer struct {
	dirTrainer
	step int64
	at   Position
}

func (s *stepTrainer) GlobalStep() (int64, error) { return s.step, nil }
func (s *stepTrainer) Position() Position         { return s.at }

// tags reads an event directory's points: tag → steps.
func tags(t *testing.T, dir string) map[string][]int64 {
	t.Helper()
	files, err := tensorboard.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int64{}
	for _, f := range files {
		events, err := tensorboard.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			for _, v := range e.GetSummary().GetValue() {
				out[v.Tag] = append(out[v.Tag], e.Step)
			}
		}
	}
	return out
}

// TensorBoard writes Keras's tags in Keras's runs at Keras's steps; a run resumed from a
// checkpoint after epoch 1 (global step 4) drops what was written after it, so that
// continuing writes every point once.
func TestTensorBoardCallback(t *testing.T) {
	dir := t.TempDir()
	logs := func(e int) Logs {
		return Logs{"loss": 1 / float64(e+1), "accuracy": 0.5, "val_loss": 2, "val_accuracy": 0.25, "learning_rate": 0.001}
	}
	run := func(tr *stepTrainer, from, to int) {
		tb := &TensorBoard{LogDir: "logs", UpdateFreq: 2}
		if err := tb.OnTrainBegin(tr); err != nil {
			t.Fatal(err)
		}
		for e := from; e < to; e++ {
			for b := 0; b < 4; b++ {
				tr.step++
				if err := tb.OnBatchEnd(tr, tr.step, Logs{"loss": 1, "accuracy": 0.5}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tb.OnEpochEnd(tr, e, logs(e)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tb.Close(); err != nil {
			t.Fatal(err)
		}
	}
	base := dirTrainer{dir: dir, h: &History{}}
	run(&stepTrainer{dirTrainer: base}, 0, 3) // an interrupted run that got to epoch 3
	resumed := &stepTrainer{dirTrainer: base, step: 4, at: Position{Epoch: 1}}
	run(resumed, 1, 3)

	train, val := tags(t, filepath.Join(dir, "logs", "train")), tags(t, filepath.Join(dir, "logs", "validation"))
	want := map[string][]int64{
		"epoch_loss": {0, 1, 2}, "epoch_accuracy": {0, 1, 2}, "epoch_learning_rate": {0, 1, 2},
		"batch_loss": {2, 4, 6, 8, 10, 12}, "batch_accuracy": {2, 4, 6, 8, 10, 12},
	}
	for tag, steps := range want {
		if got := train[tag]; !slices.Equal(got, steps) {
			t.Errorf("train %s at steps %v, want %v", tag, got, steps)
		}
	}
	for tag, steps := range map[string][]int64{
		"epoch_loss": {0, 1, 2}, "epoch_accuracy": {0, 1, 2},
		"evaluation_loss_vs_iterations": {4, 8, 12}, "evaluation_accuracy_vs_iterations": {4, 8, 12},
	} {
		if got := val[tag]; !slices.Equal(got, steps) {
			t.Errorf("validation %s at steps %v, want %v", tag, got, steps)
		}
	}
	if len(train) != len(want) || len(val) != 4 {
		t.Errorf("unexpected tags: train %v, validation %v", train, val)
	}
}

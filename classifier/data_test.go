package classifier

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// The run's log names the file or folder each built-in data set was read from (Locate
// searches several places; the log says which copy trained the model). The run is
// interrupted before its first step: only the loading is exercised.
func TestLoadedLineNamesSource(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the full data sets")
	}
	image := func(dataset string) string {
		return `task: classifier
data: {dataset: ` + dataset + `}
model:
  layers:
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 32, loss: sparse_categorical_crossentropy}
`
	}
	tests := []struct {
		dataset, yaml string
	}{
		{"imdb", tinyYAML},
		{"mnist", image("mnist")},
		{"fashion_mnist", image("fashion_mnist")},
		{"cifar10", image("cifar10")},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			path, err := datasets.Locate(tt.dataset, "")
			if errors.Is(err, datasets.ErrDataSetNotFound) {
				t.Skipf("%s not available: %v", tt.dataset, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var log strings.Builder
			_, err = Run(ctx, runtest.LoadConfig(t, tt.yaml), runner.Options{Limit: 64, OutDir: t.TempDir(), Threads: 1, Out: &log})
			if !errors.Is(err, runner.ErrInterrupted) {
				t.Errorf("Run with a cancelled context: %v, want runner.ErrInterrupted", err)
			}
			if want := "Loaded " + tt.dataset + " from " + path + ": 64 train, 64 test examples"; !strings.Contains(log.String(), want) {
				t.Errorf("log %q lacks %q", log.String(), want)
			}
		})
	}
}

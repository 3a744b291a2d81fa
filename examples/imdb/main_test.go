package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/datasets"
)

// steps records the running mean loss after each batch.
func steps(losses *[]float64) tfrun.FitOption {
	return tfrun.Callbacks(tfrun.LambdaCallback{OnBatchEnd: func(step int64, logs tfrun.Logs) error {
		*losses = append(*losses, logs["loss"])
		return nil
	}})
}

// The model in Go trains as configs/imdb_lstm.yaml does (loaded with tfrun.LoadConfig,
// which trains as bin/tfrun: see the root package's TestLoadConfigTrainsAsTheCommand):
// the same losses at each of the first 20 steps, at the same seed.
func TestSameLossesAsTheConfig(t *testing.T) {
	const limit = 640 // 20 batches of 32
	ctx := context.Background()
	var goLosses []float64
	var out bytes.Buffer
	_, err := run(ctx, &out, "", 1, limit, 1, steps(&goLosses))
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("no IMDB: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Test accuracy: ") {
		t.Errorf("output:\n%s", out.String())
	}

	m, err := tfrun.LoadConfig("../../configs/imdb_lstm.yaml", tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data, err := m.LoadData(ctx, "", "", limit)
	if err != nil {
		t.Fatal(err)
	}
	var yamlLosses []float64
	if _, err := m.Fit(ctx, data.Train, tfrun.Epochs(1), tfrun.ValidationData(data.Test), steps(&yamlLosses)); err != nil {
		t.Fatal(err)
	}
	if len(goLosses) != 20 || !slices.Equal(goLosses, yamlLosses) {
		t.Errorf("running losses of the first 20 steps:\nGo   %v\nYAML %v", goLosses, yamlLosses)
	}
}

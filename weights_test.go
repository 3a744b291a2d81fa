package tfrun_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/layers"
)

// Weights saved by a Fit with RunDir load into another model of the same definition,
// which then predicts as the trained one; a model of another definition, an empty
// directory and a model not built are refused.
func TestLoadWeights(t *testing.T) {
	data := wineData(t)
	ctx := context.Background()
	dir := t.TempDir()
	a := wineModel(t)
	if _, err := a.Fit(ctx, data, tfrun.Epochs(3), tfrun.RunDir(dir)); err != nil {
		t.Fatal(err)
	}
	want, err := a.Predict(ctx, data.X)
	if err != nil {
		t.Fatal(err)
	}
	b := wineModel(t)
	if _, err := b.LoadWeights(dir); !errors.Is(err, tfrun.ErrNotBuilt) {
		t.Errorf("before Build: err = %v, want ErrNotBuilt", err)
	}
	if err := b.Build(data.X); err != nil {
		t.Fatal(err)
	}
	if _, err := b.LoadWeights(t.TempDir()); !errors.Is(err, checkpoints.ErrNoCheckpoint) {
		t.Errorf("an empty run directory: err = %v, want ErrNoCheckpoint", err)
	}
	if _, err := b.LoadWeights(dir); err != nil {
		t.Fatal(err)
	}
	got, err := b.Predict(ctx, data.X)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Floats, want.Floats) {
		t.Errorf("predictions after LoadWeights differ from the trained model's")
	}

	other, err := tfrun.Sequential(layers.Dense(3, layers.Activation("softmax")))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Compile(tfrun.Loss("sparse_categorical_crossentropy")); err != nil {
		t.Fatal(err)
	}
	if err := other.Build(data.X); err != nil {
		t.Fatal(err)
	}
	if _, err := other.LoadWeights(dir); !errors.Is(err, checkpoints.ErrMismatch) {
		t.Errorf("another model: err = %v, want ErrMismatch", err)
	}
}

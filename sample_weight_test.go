package tfrun_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
)

// Sample weights weigh the loss as Keras's fit(sample_weight=...) does: weights of 2
// double the loss of the same weights without them; wrong weights, and weights for a model
// built without them, are refused.
func TestSampleWeight(t *testing.T) {
	data := wineData(t)
	ctx := context.Background()
	m := wineModel(t)
	twice := data
	twice.SampleWeight = make([]float32, data.Len())
	for i := range twice.SampleWeight {
		twice.SampleWeight[i] = 2
	}
	if _, err := m.Fit(ctx, twice, tfrun.Epochs(1)); err != nil {
		t.Fatal(err)
	}
	weighted, err := m.Evaluate(ctx, twice)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := m.Evaluate(ctx, data) // weights of 1 fed when the data has none
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(weighted["loss"]-2*plain["loss"]) > 1e-5*plain["loss"] {
		t.Errorf("loss with weights 2: %v, without: %v; want twice", weighted["loss"], plain["loss"])
	}

	for _, tc := range []struct {
		name string
		w    []float32
		want string
	}{
		{"too few", []float32{1}, "178 examples, 1 sample weights"},
		{"negative", append(make([]float32, data.Len()-1), -1), "sample weight 177: -1"},
		{"not a number", append(make([]float32, data.Len()-1), float32(math.NaN())), "sample weight 177: NaN"},
	} {
		d := data
		d.SampleWeight = tc.w
		if _, err := m.Fit(ctx, d); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	u := wineModel(t)
	if _, err := u.Fit(ctx, data, tfrun.Epochs(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Fit(ctx, twice); err == nil || !strings.Contains(err.Error(), "built without sample weights") {
		t.Errorf("weights for a model built without: err = %v", err)
	}
}

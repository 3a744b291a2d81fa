package classifier

import (
	"math"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
)

// Adapt sets each Normalization layer's mean, variance and count from the training data
// in inference mode, over the inputs the layer sees: the second layer's after Rescaling,
// in batches that do not divide the data; a layer already adapted normalizes the next
// one's inputs to mean 0 and variance 1.
func TestAdaptNormalization(t *testing.T) {
	cfg := runtest.LoadConfig(t, `name: adapt
task: classifier
seed: 1
data: {dataset: mnist}
model:
  layers:
    - {type: Rescaling, scale: 2.0, offset: 1.0}
    - {type: Normalization}
    - {type: Normalization}
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 4, loss: sparse_categorical_crossentropy}
`)
	const n, features = 11, 3
	shape := builders.Shape{2, features}
	x := make([]float32, n*2*features)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.7)) + float32(i%features)
	}
	c, err := FromConfig(cfg, shape, false, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Adapt(&Dataset{Floats: x, Shape: shape, Labels: make([]float32, n)}, 4); err != nil {
		t.Fatal(err)
	}
	// The first layer's: of 2x + 1, per feature, population variance.
	var mean, variance [features]float64
	for i, v := range x {
		mean[i%features] += (2*float64(v) + 1) / (n * 2)
	}
	for i, v := range x {
		d := 2*float64(v) + 1 - mean[i%features]
		variance[i%features] += d * d / (n * 2)
	}
	var norms []*builders.Normalization
	for _, l := range c.Model.AllLayers() {
		if nl, ok := l.(*builders.Normalization); ok {
			norms = append(norms, nl)
		}
	}
	for k, nl := range norms {
		vals, err := c.Session().Get(nl.Variables()...)
		if err != nil {
			t.Fatal(err)
		}
		gotMean, gotVar := graphs.Float64s(vals[0]), graphs.Float64s(vals[1])
		if got := graphs.Value(vals[2]).(int64); got != n*2 {
			t.Errorf("layer %d: count %d, want %d", k, got, n*2)
		}
		for f := range features {
			wantMean, wantVar := mean[f], variance[f]
			if k == 1 { // the second sees the first's output
				wantMean, wantVar = 0, 1
			}
			if math.Abs(gotMean[f]-wantMean) > 1e-5 || math.Abs(gotVar[f]-wantVar) > 1e-5*max(1, wantVar) {
				t.Errorf("layer %d feature %d: mean %.7g variance %.7g, want %.7g %.7g", k, f, gotMean[f], gotVar[f], wantMean, wantVar)
			}
		}
	}
	if len(norms) != 2 {
		t.Fatalf("%d Normalization layers", len(norms))
	}
}

// A Normalization that is the model's first layer adapts over the model's input itself,
// under mixed_bfloat16 too (its input then bfloat16; the statistics float32).
func TestAdaptNormalizationFirst(t *testing.T) {
	for _, precision := range []string{"float32", "mixed_bfloat16"} {
		t.Run(precision, func(t *testing.T) {
			cfg := runtest.LoadConfig(t, `name: adapt_first
task: classifier
seed: 1
precision: `+precision+`
data: {dataset: mnist}
model:
  layers:
    - {type: Normalization}
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 4, loss: sparse_categorical_crossentropy}
`)
			shape := builders.Shape{2, 2, 1}
			x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
			c, err := FromConfig(cfg, shape, false, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Adapt(&Dataset{Floats: x, Shape: shape, Labels: make([]float32, 3)}, 2); err != nil {
				t.Fatal(err)
			}
			n := c.Model.AllLayers()[0].(*builders.Normalization)
			vals, err := c.Session().Get(n.Variables()...)
			if err != nil {
				t.Fatal(err)
			}
			// 1..12 (exact in bfloat16): mean 6.5, population variance (12² − 1)/12.
			if m, v := graphs.Float64s(vals[0])[0], graphs.Float64s(vals[1])[0]; m != 6.5 || math.Abs(v-143.0/12) > 1e-5 {
				t.Errorf("mean %g variance %g, want 6.5 %g", m, v, 143.0/12)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// The two-input, two-output model trains on the wine table: Keras's log names, the loss
// the weighted sum of the outputs' losses, the cultivars learnt, the alcohol content
// predicted better than its mean; Evaluate and PredictOutputs agree.
func TestTwoInputsTwoOutputs(t *testing.T) {
	const csv = "../../../shared/data/tabular/wine.csv"
	if _, err := os.Stat(csv); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", csv, err)
	}
	var w bytes.Buffer
	r, err := run(context.Background(), &w, csv, 20)
	if err != nil {
		t.Fatal(err)
	}
	h := r.History
	for _, name := range []string{"loss", "cultivar_loss", "cultivar_accuracy", "alcohol_loss", "alcohol_mae"} {
		if len(h.Metrics[name]) != 20 {
			t.Errorf("history %s: %d epochs, want 20", name, len(h.Metrics[name]))
		}
	}
	// Evaluate's loss is Σ weight·loss_o, in inference mode (no dropout here: exact up to
	// float32 sums).
	if got, want := r.Logs["loss"], r.Logs["cultivar_loss"]+0.5*r.Logs["alcohol_loss"]; math.Abs(got-want) > 1e-5 {
		t.Errorf("evaluate: loss %v, cultivar_loss + 0.5·alcohol_loss = %v", got, want)
	}
	if r.Logs["cultivar_accuracy"] < 0.95 {
		t.Errorf("evaluate: cultivar_accuracy %v, want >= 0.95", r.Logs["cultivar_accuracy"])
	}
	if r.Logs["alcohol_loss"] > 0.6 { // the standardized alcohol's variance is 1
		t.Errorf("evaluate: alcohol_loss %v, want < 0.6 (predicting the mean gives 1)", r.Logs["alcohol_loss"])
	}
	// PredictOutputs: each output's rows; their accuracy and squared error are Evaluate's.
	cult, alc := r.Pred["cultivar"], r.Pred["alcohol"]
	n := len(r.Data.Outputs["cultivar"].Ints)
	if len(cult.Floats) != 3*n || len(alc.Floats) != n || len(cult.Shape) != 1 || cult.Shape[0] != 3 {
		t.Fatalf("predictions: cultivar %v with %d values, alcohol %d values; want (3) × %d, %d", cult.Shape, len(cult.Floats), len(alc.Floats), n, n)
	}
	right, sq := 0, 0.0
	for i := range n {
		best := 0
		for k := 1; k < 3; k++ {
			if cult.Floats[3*i+k] > cult.Floats[3*i+best] {
				best = k
			}
		}
		if int32(best) == r.Data.Outputs["cultivar"].Ints[i] {
			right++
		}
		d := float64(alc.Floats[i] - r.Data.Outputs["alcohol"].Floats[i])
		sq += d * d
	}
	if acc := float64(right) / float64(n); math.Abs(acc-r.Logs["cultivar_accuracy"]) > 1e-6 {
		t.Errorf("accuracy of the predictions %v, Evaluate's %v", acc, r.Logs["cultivar_accuracy"])
	}
	if mse := sq / float64(n); math.Abs(mse-r.Logs["alcohol_loss"]) > 1e-4*r.Logs["alcohol_loss"] {
		t.Errorf("squared error of the predictions %v, Evaluate's alcohol_loss %v", mse, r.Logs["alcohol_loss"])
	}
	for _, want := range []string{"chemistry (InputLayer)", "dense_1 (Dense)", "cultivar (Dense)", "epoch 20: loss "} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("printed:\n%s\nwant it to contain %q", w.String(), want)
		}
	}
}

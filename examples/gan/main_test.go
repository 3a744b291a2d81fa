package main

import (
	"bytes"
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/datasets"
)

// The DCGAN's Go train step trains both networks on an MNIST slice: both losses logged
// every epoch, the discriminator learns to tell real digits (its accuracy on them rises),
// the generator's digits of the same noise change and stay in tanh's range; a second run
// at the same seed repeats the first's first epoch.
func TestTrainStepInGo(t *testing.T) {
	const dataDir = "../../../shared/data"
	var w bytes.Buffer
	grid := filepath.Join(t.TempDir(), "grid.png")
	r, err := run(context.Background(), &w, dataDir, 512, 2, grid)
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("no MNIST: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	h := r.History
	for _, name := range []string{"d_loss", "g_loss", "real_accuracy", "fake_accuracy", "learning_rate", "learning_rate_1"} {
		if len(h.Metrics[name]) != 2 {
			t.Fatalf("%s: %v, want 2 epochs", name, h.Metrics[name])
		}
	}
	for i := range 2 {
		if d, g := h.Metrics["d_loss"][i], h.Metrics["g_loss"][i]; !(d > 0 && g > 0) || math.IsInf(d, 0) || math.IsInf(g, 0) {
			t.Errorf("epoch %d: d_loss %v, g_loss %v: want finite and > 0", i+1, d, g)
		}
	}
	if acc := h.Metrics["real_accuracy"]; acc[1] < 0.9 {
		t.Errorf("real_accuracy %v: the discriminator did not learn real digits", acc)
	}
	if lr := h.Metrics["learning_rate"][1]; lr != float64(float32(1e-4)) {
		t.Errorf("learning_rate %v, want the discriminator's 1e-4", lr)
	}
	changed := 0.0
	for i, v := range r.After.Floats {
		if v < -1 || v > 1 {
			t.Fatalf("generated value %v outside [-1, 1]", v)
		}
		changed = max(changed, math.Abs(float64(v-r.Before.Floats[i])))
	}
	if changed < 0.01 || len(r.After.Floats) != 16*28*28 {
		t.Errorf("the generator's digits: %d values, changed by %v at most; want 16×28×28, changed", len(r.After.Floats), changed)
	}
	if !strings.Contains(w.String(), "epoch 2: d_loss ") || !strings.Contains(w.String(), "wrote "+grid) {
		t.Errorf("printed %q", w.String())
	}
	again, err := run(context.Background(), &bytes.Buffer{}, dataDir, 512, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := again.History.Metrics["d_loss"][0], h.Metrics["d_loss"][0]; a != b {
		t.Errorf("epoch 1: d_loss %v, then %v at the same seed", b, a)
	}
}

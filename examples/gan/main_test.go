package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/datasets"
)

// The DCGAN's Go train step trains both networks on an MNIST slice: the images fed are
// MNIST's pixels in [-1, 1], the generator's tanh range (not rescaled a second time);
// both losses logged every epoch; the generator's digits of the same noise change and
// stay in tanh's range; the generator exports with a reference of its images; a second
// run at the same seed repeats the first's first epoch.
func TestTrainStepInGo(t *testing.T) {
	const dataDir = "../../../shared/data"
	var w bytes.Buffer
	tmp := t.TempDir()
	o := options{dataDir: dataDir, limit: 512, epochs: 2, grid: filepath.Join(tmp, "grid.png"),
		export: filepath.Join(tmp, "models"), reference: filepath.Join(tmp, "reference.json")}
	r, err := run(context.Background(), &w, o)
	if errors.Is(err, datasets.ErrDataSetNotFound) {
		t.Skipf("no MNIST: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := slices.Min(r.Images.Floats), slices.Max(r.Images.Floats); lo != -1 || hi != 1 {
		t.Errorf("the images fed range over [%v, %v], want MNIST's 0 and 255 as -1 and 1", lo, hi)
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
	if lr := h.Metrics["learning_rate"][1]; lr != float64(float32(discriminatorLR)) {
		t.Errorf("learning_rate %v, want the discriminator's %v", lr, discriminatorLR)
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
	for _, s := range []string{"epoch 2: d_loss ", "wrote " + o.grid, "exported the generator to " + filepath.Join(o.export, "1"), "wrote " + o.reference} {
		if !strings.Contains(w.String(), s) {
			t.Errorf("printed %q: no %q", w.String(), s)
		}
	}
	if _, err := os.Stat(filepath.Join(r.Export, "saved_model.pb")); err != nil {
		t.Error(err)
	}
	b, err := os.ReadFile(o.reference)
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Noise) != 16 || len(ref.Noise[0]) != latent || len(ref.Output) != 16 || !slices.Equal(ref.Shape, []int{28, 28, 1}) ||
		!slices.Equal(slices.Concat(ref.Output...), r.After.Floats) || ref.Model != r.Export {
		t.Errorf("reference: %d noise rows, %d outputs, shape %v, model %q: want 16 of the grid's and its digits", len(ref.Noise), len(ref.Output), ref.Shape, ref.Model)
	}
	again, err := run(context.Background(), &bytes.Buffer{}, options{dataDir: dataDir, limit: 512, epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := again.History.Metrics["d_loss"][0], h.Metrics["d_loss"][0]; a != b {
		t.Errorf("epoch 1: d_loss %v, then %v at the same seed", b, a)
	}
}

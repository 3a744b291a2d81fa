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

const csv = "../../../shared/data/tabular/diabetes.csv"

func needData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(csv); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", csv, err)
	}
}

// go_mse, mean_squared_error written in Go, trains to the built-in's losses and the
// go_mae metric reads as the built-in mae, epoch by epoch at the same seed.
func TestGoMSEIsMeanSquaredError(t *testing.T) {
	needData(t)
	var out bytes.Buffer
	custom, err := run(context.Background(), &out, csv, "go_mse", "go_mae", 5)
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := run(context.Background(), &bytes.Buffer{}, csv, "mean_squared_error", "mae", 5)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for _, k := range [][2]string{{"loss", "loss"}, {"go_mae", "mae"}} {
		for i, want := range builtin.History.Metrics[k[1]] {
			got := custom.History.Metrics[k[0]][i]
			worst = max(worst, math.Abs(got-want)/math.Abs(want))
			if math.Abs(got-want) > 1e-6*math.Abs(want) {
				t.Errorf("epoch %d: %s %.9g, built-in %s %.9g", i+1, k[0], got, k[1], want)
			}
		}
	}
	t.Logf("largest relative difference from the built-ins: %.3g", worst)
	if first, last := custom.History.Metrics["loss"][0], custom.History.Metrics["loss"][4]; !(last < first) {
		t.Errorf("go_mse did not fall: %v", custom.History.Metrics["loss"])
	}
	if !strings.HasPrefix(out.String(), "epoch 1: go_mse ") || strings.Count(out.String(), "\n") != 5 {
		t.Errorf("printed %q, want 5 lines from \"epoch 1: go_mse \"", out.String())
	}
}

// The pinball loss of the 0.9 quantile, which has no built-in twin, puts about 90% of
// the targets below the predictions.
func TestPinballLearnsTheQuantile(t *testing.T) {
	needData(t)
	r, err := run(context.Background(), &bytes.Buffer{}, csv, "pinball_90", "go_mae", 40)
	if err != nil {
		t.Fatal(err)
	}
	below := 0
	for i, y := range r.Data.Y.Floats {
		if y <= r.Pred.Floats[i] {
			below++
		}
	}
	frac := float64(below) / float64(len(r.Data.Y.Floats))
	t.Logf("%.3f of the targets are below the predicted 0.9 quantile", frac)
	if frac < 0.8 || frac > 0.97 {
		t.Errorf("%.3f of the targets are below the predictions, want about 0.9", frac)
	}
}

func TestUnknownLoss(t *testing.T) {
	needData(t)
	_, err := run(context.Background(), &bytes.Buffer{}, csv, "no_such_loss", "go_mae", 1)
	if err == nil || !strings.Contains(err.Error(), "no_such_loss") || !strings.Contains(err.Error(), "pinball_90") {
		t.Errorf("err = %v, want one naming the loss and listing the registered ones", err)
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const wineCSV = "../../../shared/data/tabular/wine.csv"

// wine skips the test when the wine table is missing.
func wine(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(wineCSV); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", wineCSV, err)
	}
}

// The classifier trains on the file's batches: 20 epochs logged, the held-out wines
// classified (accuracy >= 0.9), and the validation the iterator fed each epoch is what
// Evaluate computes on the same wines as arrays.
func TestIterator(t *testing.T) {
	wine(t)
	var w bytes.Buffer
	r, err := run(context.Background(), &w, wineCSV, 20, 16)
	if err != nil {
		t.Fatal(err)
	}
	h := r.History
	if len(h.Epochs) != 20 || len(h.Metrics["val_accuracy"]) != 20 {
		t.Fatalf("history: %d epochs, %d val_accuracy: want 20", len(h.Epochs), len(h.Metrics["val_accuracy"]))
	}
	if r.Logs["accuracy"] < 0.9 {
		t.Errorf("validation accuracy %v, want >= 0.9", r.Logs["accuracy"])
	}
	if got, want := h.Metrics["val_loss"][19], r.Logs["loss"]; math.Abs(got-want) > 1e-5 {
		t.Errorf("the last epoch's val_loss %v, Evaluate's loss %v: want the same to 1e-5", got, want)
	}
	if !strings.Contains(w.String(), "20 epochs: loss") {
		t.Errorf("output %q", w.String())
	}
}

// A malformed row of the held-out wines stops Fit at the first validation with the
// iterator's error, wrapped with the epoch and the batch (the first: the held-out wines
// fit in the shuffle window, read before any is yielded), naming the file's line.
func TestIteratorBadRow(t *testing.T) {
	wine(t)
	b, err := os.ReadFile(wineCSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	lines[51] = strings.Replace(lines[51], ",", ",x", 2) // line 52: wine 50, held out
	bad := filepath.Join(t.TempDir(), "wine.csv")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = run(context.Background(), &bytes.Buffer{}, bad, 3, 16)
	for _, want := range []string{"fit: validation data: epoch 1, batch 1: the iterator: ", "wine.csv:52: column 2"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one containing %q", err, want)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The callback stops training at the first epoch whose val_accuracy reaches the target
// and writes that epoch's logs; a file it cannot write stops Fit with the error.
func TestStopsAndWrites(t *testing.T) {
	const csv = "../../../shared/data/tabular/wine.csv"
	if _, err := os.Stat(csv); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", csv, err)
	}
	out := filepath.Join(t.TempDir(), "stopped.json")
	var w bytes.Buffer
	if err := run(context.Background(), &w, csv, 0.95, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var s stopped
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Logs["val_accuracy"] < 0.95 || s.Epoch < 1 || s.Epoch >= 200 {
		t.Errorf("stopped at epoch %d with val_accuracy %v; want >= 0.95, before epoch 200", s.Epoch, s.Logs["val_accuracy"])
	}
	if want := "trained " + itoa(s.Epoch) + " epochs"; !strings.HasPrefix(w.String(), want) {
		t.Errorf("printed %q, want it to start with %q", w.String(), want)
	}
	err = run(context.Background(), &w, csv, 0.5, filepath.Join(t.TempDir(), "no", "such", "dir.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an unwritable file: err = %v, want ErrNotExist", err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Package runtest holds what the tests of the kinds of run (classifier, gan) share: a
// config from YAML, a context that interrupts a run at an exact step, a run's history read
// back for comparison, and the autotune cache edited between runs.
package runtest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// LoadConfig writes body to a YAML file in a temporary directory and loads it.
func LoadConfig(t testing.TB, body string) *configs.Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Countdown is a context that reports cancellation from its n-th Err call on: the loop
// asks once per step, so it interrupts a run at an exact step.
type Countdown struct {
	context.Context
	n atomic.Int64
}

// InterruptAt returns a context that cancels the run after step steps.
func InterruptAt(step int) *Countdown {
	c := &Countdown{Context: context.Background()}
	c.n.Store(int64(step) + 1)
	return c
}

// Err is context.Canceled from the n-th call on.
func (c *Countdown) Err() error {
	if c.n.Add(-1) <= 0 {
		return context.Canceled
	}
	return nil
}

// ReadJSON reads the JSON file at path into v.
func ReadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// EditAutotuneCache rewrites the one autotune cache file in dir (graphs/autotune's, one
// per machine): edit changes its winners (key → form) in place.
func EditAutotuneCache(t testing.TB, dir string, edit func(winners map[string]any)) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("cache files %v (%v), want one", files, err)
	}
	var f map[string]any
	ReadJSON(t, files[0], &f)
	winners, ok := f["winners"].(map[string]any)
	if !ok {
		t.Fatalf("%s has no winners", files[0])
	}
	edit(winners)
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// HistoryWithoutSeconds reads a run's history.json minus the timings.
func HistoryWithoutSeconds(t testing.TB, dir string) *runner.History {
	t.Helper()
	var h runner.History
	ReadJSON(t, filepath.Join(dir, "history.json"), &h)
	delete(h.Metrics, "seconds")
	return &h
}

// SameHistory reports whether two histories hold the same epochs and values, bit for bit.
func SameHistory(a, b *runner.History) bool {
	if !slices.Equal(a.Epochs, b.Epochs) || len(a.Metrics) != len(b.Metrics) {
		return false
	}
	for k, v := range a.Metrics {
		if !slices.Equal(v, b.Metrics[k]) {
			return false
		}
	}
	return true
}

package gan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/tfrun/tfrun/runner"
)

// countdown is a context that reports cancellation from its n-th Err call on: the loop
// asks once per step, so it interrupts a run at an exact step.
type countdown struct {
	context.Context
	n atomic.Int64
}

func interruptAt(step int) *countdown {
	c := &countdown{Context: context.Background()}
	c.n.Store(int64(step) + 1)
	return c
}

func (c *countdown) Err() error {
	if c.n.Add(-1) <= 0 {
		return context.Canceled
	}
	return nil
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// historyWithoutSeconds reads a run's history.json minus the timings.
func historyWithoutSeconds(t *testing.T, dir string) *runner.History {
	t.Helper()
	var h runner.History
	readJSONFile(t, filepath.Join(dir, "history.json"), &h)
	delete(h.Metrics, "seconds")
	return &h
}

func sameHistory(a, b *runner.History) bool {
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

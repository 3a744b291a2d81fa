package runner

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

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

// A metric that appears (validation added on a resume) or disappears keeps every series
// aligned with the epochs; history.json stores the gaps as null and reads them back.
func TestHistoryAlignsMetrics(t *testing.T) {
	h := &History{}
	h.Append(1, Logs{"loss": 0.5})
	h.Append(2, Logs{"loss": 0.4, "val_loss": 0.45})
	h.Append(3, Logs{"val_loss": 0.44})
	if len(h.Metrics["loss"]) != 3 || len(h.Metrics["val_loss"]) != 3 {
		t.Fatalf("series %v, want 3 values each", h.Metrics)
	}
	if !math.IsNaN(h.Metrics["val_loss"][0]) || !math.IsNaN(h.Metrics["loss"][2]) || h.Metrics["val_loss"][1] != 0.45 {
		t.Errorf("gaps misplaced: %v", h.Metrics)
	}
	path := filepath.Join(t.TempDir(), "history.json")
	if err := h.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	var back History
	readJSONFile(t, path, &back)
	if len(back.Epochs) != 3 || !math.IsNaN(back.Metrics["loss"][2]) || back.Metrics["loss"][1] != 0.4 {
		t.Errorf("read back %+v", back)
	}
	if err := h.WriteCSV(filepath.Join(t.TempDir(), "history.csv")); err != nil {
		t.Fatal(err)
	}
}

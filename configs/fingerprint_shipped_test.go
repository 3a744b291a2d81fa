package configs

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestShippedFingerprints loads every config shipped when model kinds became a registry
// (configs/*.yaml, configs/examples/*.yaml) and checks that its fingerprint is the one it
// had before (testdata/shipped_fingerprints.json, written by loading each one at commit
// 01c9b9b, the last with the task switch): their checkpoints resume.
func TestShippedFingerprints(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "shipped_fingerprints.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) < 28 {
		t.Fatalf("shipped_fingerprints.json has %d configs, want the 28 shipped", len(want))
	}
	for _, rel := range slices.Sorted(maps.Keys(want)) {
		t.Run(rel, func(t *testing.T) {
			c, err := Load(filepath.Join("..", filepath.FromSlash(rel)))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Fingerprint(); got != want[rel] {
				t.Errorf("Fingerprint() = %s, want %s (its old checkpoints would not resume)", got, want[rel])
			}
		})
	}
}

package main

import (
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
)

// bin/tfrun links the Keras importer's registration: a .keras file resolves as
// train.initial_weights (into a checkpoint of Keras's layer names) instead of being
// refused as a format this program cannot read.
func TestKerasInitialWeightsLinked(t *testing.T) {
	prefix, err := checkpoints.ResolveWeights(filepath.Join(kerasTestdata, "table.keras"), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := checkpoints.List(prefix)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name] = true
	}
	for _, want := range []string{"sequential/hidden/kernel", "sequential/probs/bias"} {
		if !names[want] {
			t.Errorf("the converted checkpoint lacks %s: %v", want, names)
		}
	}
}

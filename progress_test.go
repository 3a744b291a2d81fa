package tfrun_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/runner"
)

// Progress shows Keras's epoch lines; a RunDir that holds a run's checkpoints is not
// overwritten by a Fit without Resume (bin/tfrun's rule).
func TestProgressAndRunDirRule(t *testing.T) {
	data := wineData(t)
	ctx := context.Background()
	m := wineModel(t)
	var out bytes.Buffer
	dir := t.TempDir()
	if _, err := m.Fit(ctx, data, tfrun.Epochs(2), tfrun.RunDir(dir), tfrun.Progress(&out, runner.VerboseLines)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Epoch 1/2", "Epoch 2/2", "loss: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress has no %q:\n%s", want, out.String())
		}
	}
	if _, err := m.Fit(ctx, data, tfrun.Epochs(2), tfrun.RunDir(dir)); !errors.Is(err, checkpoints.ErrCheckpointsExist) {
		t.Errorf("a second Fit into the run directory without Resume: err = %v, want ErrCheckpointsExist", err)
	}
}

package importer_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/importer"
	"github.com/tfrun/tfrun/kerasfile"
)

// TestApplications imports the keras.applications models `make keras-apps` saves
// (kerasfile/testdata/make_models.py apps DIR, not committed: 2 to 95 MB each) and checks
// the ones tfrun can build against Keras's outputs; for the others it logs every missing
// piece. It runs when TFRUN_KERAS_APPS names that directory.
func TestApplications(t *testing.T) {
	dir := os.Getenv("TFRUN_KERAS_APPS")
	if dir == "" {
		t.Skip("TFRUN_KERAS_APPS is not set (make keras-apps sets it)")
	}
	for _, name := range []string{"mobilenet_v2", "resnet50", "efficientnet_b0", "densenet121"} {
		t.Run(name, func(t *testing.T) {
			run := t.TempDir()
			res, err := importer.Import(filepath.Join(dir, name+".keras"), importer.Options{Dir: run})
			var ke *kerasfile.Error
			if errors.As(err, &ke) {
				t.Logf("%s: not importable: %v", name, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ins, outs := readGolden(t, filepath.Join(dir, name+".json"))
			got := predictRun(t, res.Config, run, ins["input"], false)
			d := maxDiff(t, got, outs[0].values)
			t.Logf("%s: imported %d weights; max |tfrun − Keras| = %.3g", name, res.Params, d)
			if d > tolerance {
				t.Errorf("max difference from Keras %.3g > %g", d, tolerance)
			}
		})
	}
}

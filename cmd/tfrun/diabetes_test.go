package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
)

// The regression proof of issue 22 on the real diabetes table: configs/diabetes_regression.yaml
// (cut to 4 epochs of 12 steps, 20% held out) trains, resumes bit for bit, exports, and
// predicts real numbers, equal through `tfrun predict -run` and the SavedModel (`make
// export-check` adds Python's tf.saved_model.load to the comparison).
func TestDiabetesRegressionResumeExportPredict(t *testing.T) {
	csv, err := filepath.Abs("../../../shared/data/tabular/diabetes.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(csv); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the shared diabetes table is not there: %v", err)
	}
	yaml, err := os.ReadFile("../../configs/diabetes_regression.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(yaml), "../shared/data/tabular/diabetes.csv", csv, 1)
	body = strings.Replace(body, "  epochs: 150\n", "  epochs: 4\n", 1) + "checkpoint: {every: 1}\n"
	cfg := writeConfig(t, body)
	final := checkpoints.Name(4 * 12)
	data := func(dir string) []byte {
		t.Helper()
		b, err := os.ReadFile(checkpoints.DataFile(filepath.Join(checkpoints.Dir(dir), final), 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	straight, resumed := t.TempDir(), t.TempDir()
	for _, run := range []struct {
		dir  string
		args []string
	}{{straight, nil}, {resumed, []string{"-epochs", "2"}}, {resumed, []string{"-resume"}}} {
		if code, out := runChild(t, cfg, run.dir, run.args...); code != 0 {
			t.Fatalf("tfrun %v: exit %d:\n%s", run.args, code, out)
		}
	}
	if !bytes.Equal(data(resumed), data(straight)) {
		t.Errorf("the resumed run's %s differs from the uninterrupted run's", final)
	}
	if h, w := historyWithoutSeconds(t, resumed), historyWithoutSeconds(t, straight); h != w {
		t.Errorf("history.json of the resumed run:\n%s\nuninterrupted:\n%s", h, w)
	}

	models := filepath.Join(t.TempDir(), "models")
	if code, _, stderr := runCLI(t, "export", "-config", cfg, "-run", straight, "-out", models); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	rows := []string{ // the table's first three rows' features; targets 151, 75, 141
		"59.0,2.0,32.1,101.0,157.0,93.2,38.0,4.0,4.8598,87.0",
		"48.0,1.0,21.6,87.0,183.0,103.2,70.0,3.0,3.8918,69.0",
		"72.0,2.0,30.5,93.0,156.0,93.6,41.0,4.0,4.6728,85.0",
	}
	predict := func(args ...string) []float64 {
		t.Helper()
		code, out, stderr := runCLI(t, append(append([]string{"predict"}, args...), rows...)...)
		if code != 0 {
			t.Fatalf("predict %v: exit %d: %s", args, code, stderr)
		}
		var got []float64
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var r struct {
				Prediction  *float64 `json:"prediction"`
				Probability *float64 `json:"probability"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil || r.Prediction == nil || r.Probability != nil {
				t.Fatalf("predict %v: %q: want {\"prediction\": <number>} (%v)", args, line, err)
			}
			got = append(got, *r.Prediction)
		}
		return got
	}
	fromRun, fromModel := predict("-config", cfg, "-run", resumed), predict("-model", models)
	for i := range rows {
		if fromRun[i] != fromModel[i] {
			t.Errorf("row %d: predict -run %v, predict -model %v: want equal", i+1, fromRun[i], fromModel[i])
		}
		// After 4 of the config's 150 epochs the outputs have only begun to rise toward the
		// targets (25..346): real, positive, and not all the same.
		if v := fromRun[i]; !(v > 0) || math.IsInf(v, 0) || v == math.Trunc(v) || (i > 0 && v == fromRun[0]) {
			t.Errorf("row %d: prediction %v: want a real number > 0, another than row 1's", i+1, v)
		}
	}
	t.Logf("predictions after 4 epochs for targets 151, 75, 141: %v", fromRun)
}

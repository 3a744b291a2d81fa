package importer_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/importer"
	"github.com/tfrun/tfrun/kerasfile"
	"github.com/tfrun/tfrun/runner"
)

// golden is a model's fixed inputs and Keras's outputs on them (make_models.py).
type golden struct {
	Inputs  map[string][2]json.RawMessage `json:"inputs"`
	Outputs [][2]json.RawMessage          `json:"outputs"`
}

type array struct {
	shape  []int
	values []float64
}

func parseArray(t *testing.T, raw [2]json.RawMessage) array {
	t.Helper()
	var a array
	if err := json.Unmarshal(raw[0], &a.shape); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw[1], &a.values); err != nil {
		t.Fatal(err)
	}
	return a
}

func readGolden(t *testing.T, path string) (map[string]array, []array) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	ins := map[string]array{}
	for k, v := range g.Inputs {
		ins[k] = parseArray(t, v)
	}
	var outs []array
	for _, o := range g.Outputs {
		outs = append(outs, parseArray(t, o))
	}
	return ins, outs
}

// tolerance is the largest difference from Keras's outputs accepted (float32 kernels of
// another order of summation; oneDNN on or off).
const tolerance = 1e-4

// predictRun restores the imported run directory's checkpoint into the classifier its
// config compiles and returns its outputs on x.
func predictRun(t *testing.T, cfgPath, dir string, x array, ids bool) []float64 {
	t.Helper()
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	shape := builders.Shape(x.shape[1:])
	c, err := classifier.FromConfig(cfg, shape, ids, cfg.Seed, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := checkpoints.RestoreLatest(c.Graph(), c.Session(), runner.CheckpointOptions(cfg, dir)); err != nil {
		t.Fatal(err)
	}
	ds := &classifier.Dataset{Shape: shape, Labels: make([]float32, x.shape[0])}
	for _, v := range x.values {
		if ids {
			ds.Ints = append(ds.Ints, int32(v))
		} else {
			ds.Floats = append(ds.Floats, float32(v))
		}
	}
	got, err := c.Predict(ds, 64)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func maxDiff(t *testing.T, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d outputs, Keras %d", len(got), len(want))
	}
	d := 0.0
	for i := range got {
		d = math.Max(d, math.Abs(got[i]-want[i]))
	}
	return d
}

// TestImportEqualsKeras imports the Keras models of testdata/make_models.py into run
// directories and checks that the restored models predict what Keras predicted.
func TestImportEqualsKeras(t *testing.T) {
	for _, tc := range []struct {
		file string
		ids  bool
	}{
		{"cnn.keras", false},
		{"cnn_legacy.h5", false},
		{"table.keras", false},
		{"text.keras", true},
		{"padded.keras", false},
		{"cropped.keras", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			res, err := importer.Import(filepath.Join("../kerasfile/testdata", tc.file), importer.Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			base := tc.file[:len(tc.file)-len(filepath.Ext(tc.file))]
			if base == "cnn_legacy" {
				base = "cnn"
			}
			ins, outs := readGolden(t, filepath.Join("../kerasfile/testdata", base+".json"))
			got := predictRun(t, res.Config, dir, ins["input"], tc.ids)
			d := maxDiff(t, got, outs[0].values)
			t.Logf("%s: %d weights imported; max |tfrun − Keras| = %.3g", tc.file, res.Params, d)
			if d > tolerance {
				t.Errorf("max difference from Keras %.3g > %g", d, tolerance)
			}
		})
	}
}

// TestWrongShape: a weight of another shape than the config gives is an error naming the
// layer and the weight, not a panic.
func TestWrongShape(t *testing.T) {
	m, err := kerasfile.Load("../kerasfile/testdata/table.keras")
	if err != nil {
		t.Fatal(err)
	}
	w := m.Weights["hidden"][0]
	w.Shape = []int{5, 8}
	w.Values = make([]float32, 40)
	m.Weights["hidden"][0] = w
	_, err = importer.Write(m, importer.Options{Dir: t.TempDir()})
	if !errors.Is(err, importer.ErrWeights) || !errors.Is(err, kerasfile.ErrFormat) {
		t.Fatalf("got %v, want ErrWeights", err)
	}
	t.Log(err)
}

// TestIntoRunWithCheckpoints: importing into a run directory that holds checkpoints is
// refused.
func TestIntoRunWithCheckpoints(t *testing.T) {
	dir := t.TempDir()
	if _, err := importer.Import("../kerasfile/testdata/table.keras", importer.Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	_, err := importer.Import("../kerasfile/testdata/table.keras", importer.Options{Dir: dir})
	if !errors.Is(err, checkpoints.ErrCheckpointsExist) {
		t.Fatalf("got %v, want ErrCheckpointsExist", err)
	}
}

// A Keras 3 .weights.h5 (model.save_weights) with a tfrun config of the same model: the
// run directory predicts what Keras predicted.
func TestImportWeightsWithConfig(t *testing.T) {
	first, err := importer.Import("../kerasfile/testdata/cnn.keras", importer.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, err := importer.ImportWeights("../kerasfile/testdata/cnn.weights.h5", first.Config, importer.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ins, outs := readGolden(t, "../kerasfile/testdata/cnn.json")
	d := maxDiff(t, predictRun(t, res.Config, dir, ins["input"], false), outs[0].values)
	t.Logf("%d weights; max |tfrun − Keras| = %.3g", res.Params, d)
	if d > tolerance || res.Params != first.Params {
		t.Errorf("max difference from Keras %.3g > %g, or %d weights (want %d)", d, tolerance, res.Params, first.Params)
	}
	// The config of another model: the weights do not fit.
	table, err := importer.Import("../kerasfile/testdata/table.keras", importer.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = importer.ImportWeights("../kerasfile/testdata/cnn.weights.h5", table.Config, importer.Options{Dir: t.TempDir()})
	if !errors.Is(err, importer.ErrWeights) {
		t.Errorf("cnn's weights into table's config: %v, want ErrWeights", err)
	}
}

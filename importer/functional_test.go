package importer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/importer"
	"github.com/tfrun/tfrun/kerasfile"
)

// The functional model of two inputs, a Dense shared by both, Add and Concatenate: its
// config (written by kerasfile, fed by a CSV's columns as a tfrun run of several inputs
// would be) builds, takes Keras's weights by layer name and computes Keras's outputs.
func TestTwoInputsEqualsKeras(t *testing.T) {
	m, err := kerasfile.Load("../kerasfile/testdata/two_inputs.keras")
	if err != nil {
		t.Fatal(err)
	}
	var data strings.Builder
	data.WriteString("name: two_inputs\ntask: classifier\ndata:\n  format: csv\n  path: data.csv\n  inputs:\n")
	for _, in := range m.Inputs {
		var cols []string
		for i := range in.Shape[0] {
			cols = append(cols, fmt.Sprintf("%s%d", in.Name, i))
		}
		fmt.Fprintf(&data, "    %s: [%s]\n", in.Name, strings.Join(cols, ", "))
	}
	data.WriteString("  outputs: {out: y}\n")
	yaml := data.String() + m.ModelYAML() + "train: {epochs: 1, loss: binary_crossentropy}\n"
	path := filepath.Join(t.TempDir(), "two_inputs.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	f, _, err := assemble.Functional(&cfg.Supervised().Model, nil)
	if err != nil {
		t.Fatal(err)
	}
	gr := graphs.NewGraph(tf.Float, 1)
	s := gr.Root()
	shapes := map[string]builders.Shape{}
	for _, in := range m.Inputs {
		shapes[in.Name] = builders.Shape(in.Shape)
	}
	if err := f.BuildGraph(s, shapes); err != nil {
		t.Fatal(err)
	}
	ins, outs := readGolden(t, "../kerasfile/testdata/two_inputs.json")
	xs := map[string]tf.Output{}
	feeds := map[tf.Output]*tf.Tensor{}
	for name, a := range ins {
		x := s.Placeholder(name, tf.Float, -1, int64(a.shape[1]))
		xs[name] = x
		v := make([]float32, len(a.values))
		for i, f := range a.values {
			v[i] = float32(f)
		}
		if feeds[x], err = graphs.NewTensor(v, int64(a.shape[0]), int64(a.shape[1])); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.CallGraph(xs, false)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(gr, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	n, err := importer.AssignWeights(sess, f.Variables(), m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(feeds, []tf.Output{got["out"]})
	if err != nil {
		t.Fatal(err)
	}
	d := maxDiff(t, graphs.Float64s(out[0]), outs[0].values)
	t.Logf("%d weights (the shared Dense once); max |tfrun − Keras| = %.3g", n, d)
	if n != 6*8+8+16*4+4+4+1 {
		t.Errorf("%d weights imported", n)
	}
	if d > tolerance {
		t.Errorf("max difference from Keras %.3g > %g", d, tolerance)
	}
}

// A model of two inputs imports as a run of several inputs (data.inputs, data.outputs): its
// config loads and its checkpoint holds the compiled model's variables.
func TestImportTwoInputs(t *testing.T) {
	dir := t.TempDir()
	res, err := importer.Import("../kerasfile/testdata/two_inputs.keras", importer.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(res.Config)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Supervised().Model.MultiIO() {
		t.Errorf("the config is not of several inputs:\n%s", mustRead(t, res.Config))
	}
	if res.Params != 129 {
		t.Errorf("%d weights imported, want 129", res.Params)
	}
	if _, err := os.Stat(res.Checkpoint + ".index"); err != nil {
		t.Error(err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

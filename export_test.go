package tfrun_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

// A loaded config's model, fitted with a RunDir, exports the SavedModel tfrun export
// writes, which export.Load serves; a model built in Go is refused.
func TestExport(t *testing.T) {
	const path = "configs/wine.yaml"
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Data.Path); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", cfg.Data.Path, err)
	}
	ctx := context.Background()
	m, err := tfrun.LoadConfig(path, tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	run := t.TempDir()
	data, err := m.LoadData(ctx, "", run, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(ctx, data.Train, tfrun.Epochs(2), tfrun.RunDir(run)); err != nil {
		t.Fatal(err)
	}
	dir, err := m.Export(run, filepath.Join(t.TempDir(), "models"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "1" {
		t.Errorf("exported to %s, want version 1", dir)
	}
	sm, err := export.Load(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	if _, ok := sm.Signatures()["serving_default"]; !ok {
		t.Errorf("signatures %v: no serving_default", sm.Signatures())
	}

	g := wineModel(t)
	if _, err := g.Export(run, t.TempDir()); !errors.Is(err, tfrun.ErrNotBuilt) {
		t.Errorf("a model built in Go, not built: err = %v, want ErrNotBuilt", err)
	}
}

// A model built in Go exports its input as Fit took it: the SavedModel, loaded by graft's
// LoadSavedModel (TensorFlow's C++ loader), predicts what Predict predicts.
func TestExportBuiltInGo(t *testing.T) {
	data, err := wine()
	if err != nil {
		t.Skipf("no wine table: %v", err)
	}
	ctx := context.Background()
	m := wineModel(t)
	run := t.TempDir()
	if _, err := m.Fit(ctx, data, tfrun.Epochs(3), tfrun.RunDir(run)); err != nil {
		t.Fatal(err)
	}
	dir, err := m.Export(run, filepath.Join(t.TempDir(), "models"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Predict(ctx, data.X)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := tf.LoadSavedModel(dir, []string{"serve"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Session.Close()
	sig, ok := sm.Signatures["serving_default"]
	if !ok {
		t.Fatalf("signatures %v: no serving_default", sm.Signatures)
	}
	in, ok := sig.Inputs[export.InputX]
	if !ok || in.DType != tf.Float || in.Shape.String() != "[?, 13]" {
		t.Fatalf("serving_default inputs %v: want x, float32 [?, 13]", sig.Inputs)
	}
	tensor := func(name string) tf.Output {
		op, idx, _ := strings.Cut(name, ":")
		k, _ := strconv.Atoi(idx)
		return sm.Graph.Operation(op).Output(k)
	}
	x, err := tf.NewTensor(batchOf(data.X.Floats, 13))
	if err != nil {
		t.Fatal(err)
	}
	outs, err := sm.Session.Run(map[tf.Output]*tf.Tensor{tensor(in.Name): x},
		[]tf.Output{tensor(sig.Outputs["probabilities"].Name), tensor(sig.Outputs["label"].Name)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	probs, labels := graphs.Value(outs[0]).([][]float32), graphs.Value(outs[1]).([]string)
	worst := 0.0
	for i, row := range probs {
		for k, p := range row {
			worst = max(worst, math.Abs(float64(p-want.Floats[3*i+k])))
		}
	}
	t.Logf("largest difference from Predict: %.3g", worst)
	if len(probs) != data.Len() || worst > 1e-6 {
		t.Errorf("the SavedModel's probabilities: %d rows, %.3g from Predict's at worst; want %d, <= 1e-6", len(probs), worst, data.Len())
	}
	if labels[0] != "0" && labels[0] != "1" && labels[0] != "2" {
		t.Errorf("label %q, want a class id's name", labels[0])
	}

}

// A model of two inputs and two outputs built in Go exports its inputs and outputs by
// name, as Fit took them: the SavedModel, loaded by graft's LoadSavedModel, takes a and b
// and returns c, v and c's class, as PredictOutputs predicts them.
func TestExportSeveralInputs(t *testing.T) {
	ctx := context.Background()
	m, err := twoByTwo(t)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data := twoByTwoData(24)
	if _, err := m.Export(t.TempDir(), t.TempDir()); !errors.Is(err, tfrun.ErrNotBuilt) {
		t.Errorf("not built: err = %v, want ErrNotBuilt", err)
	}
	run := t.TempDir()
	if _, err := m.Fit(ctx, data, tfrun.Epochs(3), tfrun.BatchSize(8), tfrun.RunDir(run)); err != nil {
		t.Fatal(err)
	}
	dir, err := m.Export(run, filepath.Join(t.TempDir(), "models"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.PredictOutputs(ctx, data.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := tf.LoadSavedModel(dir, []string{"serve"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Session.Close()
	sig, ok := sm.Signatures["serving_default"]
	if !ok {
		t.Fatalf("signatures %v: no serving_default", sm.Signatures)
	}
	tensor := func(name string) tf.Output {
		op, idx, _ := strings.Cut(name, ":")
		k, _ := strconv.Atoi(idx)
		return sm.Graph.Operation(op).Output(k)
	}
	feeds := map[tf.Output]*tf.Tensor{}
	for name, width := range map[string]int{"a": 2, "b": 1} {
		in, ok := sig.Inputs[name]
		if !ok || in.DType != tf.Float || in.Shape.String() != fmt.Sprintf("[?, %d]", width) {
			t.Fatalf("serving_default inputs %v: want %s, float32 [?, %d]", sig.Inputs, name, width)
		}
		x, err := tf.NewTensor(batchOf(data.Inputs[name].Floats, width))
		if err != nil {
			t.Fatal(err)
		}
		feeds[tensor(in.Name)] = x
	}
	names := []string{"c", "v", "c_class_id", "c_probability", "c_label"}
	if len(sig.Outputs) != len(names) {
		t.Errorf("serving_default outputs %v, want %v", slices.Sorted(maps.Keys(sig.Outputs)), names)
	}
	var fetch []tf.Output
	for _, name := range names {
		o, ok := sig.Outputs[name]
		if !ok {
			t.Fatalf("serving_default outputs %v: no %s", sig.Outputs, name)
		}
		fetch = append(fetch, tensor(o.Name))
	}
	outs, err := sm.Session.Run(feeds, fetch, nil)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for k, name := range []string{"c", "v"} {
		rows := graphs.Value(outs[k]).([][]float32)
		w := want[name].Floats
		if len(rows)*len(rows[0]) != len(w) {
			t.Fatalf("%s: %d rows of %d, PredictOutputs has %d values", name, len(rows), len(rows[0]), len(w))
		}
		for i, row := range rows {
			for j, p := range row {
				worst = max(worst, math.Abs(float64(p-w[i*len(row)+j])))
			}
		}
	}
	t.Logf("largest difference from PredictOutputs: %.3g", worst)
	if worst > 1e-6 {
		t.Errorf("the SavedModel's outputs are %.3g from PredictOutputs' at worst, want <= 1e-6", worst)
	}
	ids, labels := graphs.Value(outs[2]).([]int64), graphs.Value(outs[4]).([]string)
	for i, id := range ids {
		p := want["c"].Floats[2*i : 2*i+2]
		if wantID := int64(map[bool]int{true: 1}[p[1] > p[0]]); id != wantID || labels[i] != strconv.Itoa(int(wantID)) {
			t.Fatalf("example %d: class %d (%q), want %d from probabilities %v", i, id, labels[i], wantID, p)
		}
	}
}

// batchOf is values as rows of width k.
func batchOf(values []float32, k int) [][]float32 {
	out := make([][]float32, len(values)/k)
	for i := range out {
		out[i] = values[i*k : (i+1)*k]
	}
	return out
}

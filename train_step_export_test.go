package tfrun_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/layers"
)

// bnGAN is a small GAN's step whose generator has what inference changes:
// BatchNormalization (moving statistics) and Dropout (off).
func bnGAN(b *tfrun.StepBuilder) error {
	gen, err := tfrun.Sequential(layers.Dense(8), layers.New("BatchNormalization"), layers.New("LeakyReLU"),
		layers.Dropout(0.5), layers.Dense(2, layers.Activation("tanh")))
	if err != nil {
		return err
	}
	disc, err := tfrun.Sequential(layers.Dense(8, layers.Activation("relu")), layers.Dense(1))
	if err != nil {
		return err
	}
	g, err := b.Network("generator", gen, 4)
	if err != nil {
		return err
	}
	d, err := b.Network("discriminator", disc, 2)
	if err != nil {
		return err
	}
	s := b.Scope()
	fake := g.Call(b.Noise(4), true)
	real, fakeD := d.Call(b.Input("point"), true), d.Call(fake, true)
	mean := func(x tfrun.Output) tfrun.Output { return op.Mean(s.Op("Mean"), x, s.Const([]int32{0, 1})) }
	softplus := func(x tfrun.Output) tfrun.Output {
		return op.AddV2(s.Op("AddV2"), op.Maximum(s.Op("Maximum"), x, s.Scalar(0)),
			op.Log1p(s.Op("Log1p"), op.Exp(s.Op("Exp"), op.Neg(s.Op("Neg"), op.Abs(s.Op("Abs"), x)))))
	}
	dLoss := op.AddV2(s.Op("AddV2"), mean(softplus(op.Neg(s.Op("Neg"), real))), mean(softplus(fakeD)))
	gLoss := mean(softplus(op.Neg(s.Op("Neg"), fakeD)))
	if err := b.Minimize(dLoss, tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)), d); err != nil {
		return err
	}
	if err := b.Minimize(gLoss, tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)), g); err != nil {
		return err
	}
	b.Log("d_loss", dLoss)
	return nil
}

// points are n points on a circle of radius 0.5, the GAN's real data.
func points(n int) tfrun.Data {
	p := make([]float32, 2*n)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		p[2*i], p[2*i+1] = float32(0.5*math.Cos(a)), float32(0.5*math.Sin(a))
	}
	return tfrun.Data{Inputs: map[string]tfrun.Array{"point": tfrun.Floats(p, 2)}}
}

// savedModel loads dir with graft's LoadSavedModel (TensorFlow's C++ loader) and returns
// a function running its serving_default on inputs by name, returning every output by
// name, and the op types of its graph.
func savedModel(t *testing.T, dir string) (tf.Signature, func(map[string]*tf.Tensor) map[string]*tf.Tensor, map[string]bool) {
	t.Helper()
	sm, err := tf.LoadSavedModel(dir, []string{"serve"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sm.Session.Close() })
	sig, ok := sm.Signatures["serving_default"]
	if !ok {
		t.Fatalf("signatures %v: no serving_default", sm.Signatures)
	}
	tensor := func(name string) tf.Output {
		op, idx, _ := strings.Cut(name, ":")
		k, _ := strconv.Atoi(idx)
		return sm.Graph.Operation(op).Output(k)
	}
	ops := map[string]bool{}
	for _, o := range sm.Graph.Operations() {
		ops[o.Type()] = true
	}
	return sig, func(in map[string]*tf.Tensor) map[string]*tf.Tensor {
		t.Helper()
		feeds := map[tf.Output]*tf.Tensor{}
		for k, v := range in {
			feeds[tensor(sig.Inputs[k].Name)] = v
		}
		var names []string
		var fetches []tf.Output
		for k, o := range sig.Outputs {
			names, fetches = append(names, k), append(fetches, tensor(o.Name))
		}
		outs, err := sm.Session.Run(feeds, fetches, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*tf.Tensor{}
		for i, k := range names {
			got[k] = outs[i]
		}
		return got
	}, ops
}

// flat returns a tensor's float32 values, row-major.
func flat(t *testing.T, x *tf.Tensor) []float32 {
	t.Helper()
	switch v := graphs.Value(x).(type) {
	case [][]float32:
		var out []float32
		for _, row := range v {
			out = append(out, row...)
		}
		return out
	}
	t.Fatalf("a tensor of %T", graphs.Value(x))
	return nil
}

// maxDiff is the largest |a[i] − b[i]|; +Inf when the lengths differ.
func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// A network of a custom train step exports as a SavedModel of its inference: graft's
// LoadSavedModel serves what Custom.Predict predicts (BatchNormalization's moving
// statistics, no dropout), with the weights of the moment of Export, and no training op.
func TestCustomExport(t *testing.T) {
	ctx := context.Background()
	m, err := tfrun.NewCustom("gan", map[string][]int{"point": {2}}, 7, bnGAN)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Fit(ctx, points(64), tfrun.Epochs(3), tfrun.BatchSize(16)); err != nil {
		t.Fatal(err)
	}
	noise := make([]float32, 4*10)
	for i := range noise {
		noise[i] = float32(math.Sin(float64(i)))
	}
	base := filepath.Join(t.TempDir(), "generator")
	var served [][]float32
	for v := 1; v <= 2; v++ {
		if v == 2 { // more training: version 2 holds the new weights
			if _, err := m.Fit(ctx, points(64), tfrun.Epochs(2), tfrun.BatchSize(16)); err != nil {
				t.Fatal(err)
			}
		}
		dir, err := m.Export("generator", base)
		if err != nil {
			t.Fatal(err)
		}
		if dir != filepath.Join(base, strconv.Itoa(v)) {
			t.Errorf("export %d went to %s", v, dir)
		}
		want, err := m.Predict(ctx, "generator", tfrun.Floats(noise, 4))
		if err != nil {
			t.Fatal(err)
		}
		sig, run, ops := savedModel(t, dir)
		in, out := sig.Inputs[tfrun.NetworkInput], sig.Outputs[tfrun.NetworkOutput]
		if len(sig.Inputs) != 1 || in.DType != tf.Float || in.Shape.String() != "[?, 4]" ||
			len(sig.Outputs) != 1 || out.DType != tf.Float || out.Shape.String() != "[?, 2]" {
			t.Fatalf("serving_default %v -> %v: want x float32 [?, 4] -> output float32 [?, 2]", sig.Inputs, sig.Outputs)
		}
		x, err := tf.NewTensor(batchOf(noise, 4))
		if err != nil {
			t.Fatal(err)
		}
		got := flat(t, run(map[string]*tf.Tensor{tfrun.NetworkInput: x})[tfrun.NetworkOutput])
		// Measured 0 (the same kernels on the same batch), oneDNN on and off.
		d := maxDiff(got, want.Floats)
		if d > 1e-6 {
			t.Errorf("version %d: max |served − Predict| = %g over %d values", v, d, len(got))
		}
		t.Logf("version %d: max |served − Predict| = %g over %d values", v, d, len(got))
		for _, bad := range []string{"RandomStandardNormal", "StatelessRandomNormalV2", "ResourceApplyAdam", "AssignAddVariableOp", "FusedBatchNormV3Grad"} {
			if ops[bad] {
				t.Errorf("version %d: the served graph holds %s, a training op", v, bad)
			}
		}
		served = append(served, got)
	}
	if maxDiff(served[0], served[1]) == 0 {
		t.Error("versions 1 and 2 serve the same values: Export did not take the weights trained in between")
	}

	// Errors: a network the step has not, a directory that is a file.
	if _, err := m.Export("critic", base); err == nil || !strings.Contains(err.Error(), `export: no network "critic" (networks: [generator discriminator])`) {
		t.Errorf("err = %v, want the networks named", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Export("generator", file); !errors.Is(err, export.ErrInvalidArgument) || !strings.Contains(err.Error(), `network "generator"`) {
		t.Errorf("err = %v, want export.ErrInvalidArgument naming the network", err)
	}
}

// A functional network (a conditional generator of noise and a label) exports its
// inputs and outputs by name, the label int32: LoadSavedModel serves what
// Custom.PredictOutputs predicts.
func TestCustomExportFunctional(t *testing.T) {
	ctx := context.Background()
	m, err := tfrun.NewCustom("cgan", map[string][]int{"point": {2}, "label": {1}}, 3, conditional)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Fit(ctx, conditionalData(48), tfrun.Epochs(2), tfrun.BatchSize(16)); err != nil {
		t.Fatal(err)
	}
	dir, err := m.Export("generator", filepath.Join(t.TempDir(), "g"))
	if err != nil {
		t.Fatal(err)
	}
	noise, labels := make([]float32, 4*6), []int32{0, 1, 2, 0, 1, 2}
	for i := range noise {
		noise[i] = float32(math.Cos(float64(i)))
	}
	want, err := m.PredictOutputs(ctx, "generator", map[string]tfrun.Array{"noise": tfrun.Floats(noise, 4), "label": tfrun.Ints(labels, 1)})
	if err != nil {
		t.Fatal(err)
	}
	sig, run, _ := savedModel(t, dir)
	var ins []string
	for k := range sig.Inputs {
		ins = append(ins, k)
	}
	slices.Sort(ins)
	if !slices.Equal(ins, []string{"label", "noise"}) || sig.Inputs["label"].DType != tf.Int32 || len(sig.Outputs) != len(want) {
		t.Fatalf("serving_default %v -> %v: want label (int32) and noise -> the outputs %v", sig.Inputs, sig.Outputs, want)
	}
	x, err := tf.NewTensor(batchOf(noise, 4))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([][]int32, len(labels))
	for i, l := range labels {
		ids[i] = []int32{l}
	}
	lt, err := tf.NewTensor(ids)
	if err != nil {
		t.Fatal(err)
	}
	got := run(map[string]*tf.Tensor{"noise": x, "label": lt})
	for name, w := range want {
		d := maxDiff(flat(t, got[name]), w.Floats)
		if d > 1e-6 {
			t.Errorf("output %s: max |served − PredictOutputs| = %g", name, d)
		}
		t.Logf("output %s: max |served − PredictOutputs| = %g over %d values", name, d, len(w.Floats))
	}
}

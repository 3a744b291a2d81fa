package tfrun_test

import (
	"context"
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// regressionStep is a custom step fitting y = 2·x₀ − x₁ with one Dense layer and a mean
// squared error written in ops.
func regressionStep(b *tfrun.StepBuilder) error {
	lin, err := tfrun.Sequential(layers.Dense(1))
	if err != nil {
		return err
	}
	n, err := b.Network("linear", lin, 2)
	if err != nil {
		return err
	}
	s := b.Scope()
	pred := n.Call(b.Input("x"), true)
	d := op.Sub(s.Op("Sub"), pred, b.Input("y"))
	loss := op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), d), s.Const([]int32{0, 1}))
	if err := b.Minimize(loss, tfrun.Optimizer("sgd", tfrun.Arg("learning_rate", 0.1)), n); err != nil {
		return err
	}
	b.Log("loss", loss)
	return nil
}

func regressionData(n int) tfrun.Data {
	x, y := make([]float32, 2*n), make([]float32, n)
	for i := range n {
		x[2*i], x[2*i+1] = float32(i%5)/4, float32(i%3)/2
		y[i] = 2*x[2*i] - x[2*i+1]
	}
	return tfrun.Data{Inputs: map[string]tfrun.Array{"x": tfrun.Floats(x, 2), "y": tfrun.Floats(y, 1)}}
}

// A custom step trains with tfrun's loop: its logs per epoch, a callback, its network
// predicting what it learnt.
func TestCustomStep(t *testing.T) {
	m, err := tfrun.NewCustom("regression", map[string][]int{"x": {2}, "y": {1}}, 1, regressionStep)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	ends := 0
	cb := tfrun.LambdaCallback{OnEpochEnd: func(int, tfrun.Logs) error { ends++; return nil }}
	h, err := m.Fit(ctx, regressionData(60), tfrun.Epochs(30), tfrun.BatchSize(10), tfrun.Callbacks(cb))
	if err != nil {
		t.Fatal(err)
	}
	l := h.Metrics["loss"]
	if len(l) != 30 || ends != 30 || !(l[29] < 0.01*l[0]) {
		t.Errorf("losses %v (%d epoch ends): want 30 and the last below 1%% of the first", l, ends)
	}
	p, err := m.Predict(ctx, "linear", tfrun.Floats([]float32{1, 0, 0, 1}, 2))
	if err != nil {
		t.Fatal(err)
	}
	if d0, d1 := p.Floats[0]-2, p.Floats[1]+1; d0*d0 > 0.01 || d1*d1 > 0.01 {
		t.Errorf("predictions %v for (1, 0) and (0, 1), want about 2 and -1", p.Floats)
	}

	// A run directory: a second model resumes the first's 2 epochs to 4, and trains to
	// the losses of 4 epochs in one go.
	dir := t.TempDir()
	fit := func(epochs int, opts ...tfrun.FitOption) []float64 {
		m, err := tfrun.NewCustom("regression", map[string][]int{"x": {2}, "y": {1}}, 1, regressionStep)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		h, err := m.Fit(ctx, regressionData(60), append([]tfrun.FitOption{tfrun.Epochs(epochs), tfrun.BatchSize(10)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return h.Metrics["loss"]
	}
	fit(2, tfrun.RunDir(dir))
	resumed := fit(4, tfrun.RunDir(dir), tfrun.Resume())
	whole := fit(4)
	if len(resumed) != 4 || resumed[3] != whole[3] || resumed[0] != whole[0] {
		t.Errorf("resumed losses %v, in one go %v: want the same 4", resumed, whole)
	}
}

// Every misuse of a custom step is refused with an error saying what is wrong.
func TestCustomStepErrors(t *testing.T) {
	lin := func() *tfrun.Model {
		m, err := tfrun.Sequential(layers.Dense(1))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	sgd := tfrun.Optimizer("sgd")
	for _, c := range []struct {
		what  string
		build func(b *tfrun.StepBuilder) error
		want  string
	}{
		{"no update", func(b *tfrun.StepBuilder) error { return nil }, "updates nothing"},
		{"an unknown input", func(b *tfrun.StepBuilder) error { b.Input("z"); return nil }, `no input "z"`},
		{"a network twice", func(b *tfrun.StepBuilder) error {
			if _, err := b.Network("n", lin(), 2); err != nil {
				return err
			}
			_, err := b.Network("n", lin(), 2)
			return err
		}, `network "n": empty or given twice`},
		{"a loss per example", func(b *tfrun.StepBuilder) error {
			n, err := b.Network("n", lin(), 2)
			if err != nil {
				return err
			}
			return b.Minimize(n.Call(b.Input("x"), true), sgd, n)
		}, "the loss has rank 2"},
		{"no networks", func(b *tfrun.StepBuilder) error {
			return b.Minimize(b.Scope().Scalar(1), sgd)
		}, "no networks"},
		{"a loss option as optimizer", func(b *tfrun.StepBuilder) error {
			n, err := b.Network("n", lin(), 2)
			if err != nil {
				return err
			}
			return b.Minimize(b.Scope().Scalar(1), tfrun.Loss("mse"), n)
		}, "takes an Optimizer"},
		{"a log not a scalar", func(b *tfrun.StepBuilder) error {
			b.Log("v", b.Scope().Const([]float32{1, 2}))
			return nil
		}, `log "v": rank 1, want a scalar`},
		{"a log twice", func(b *tfrun.StepBuilder) error {
			b.Log("a", b.Scope().Scalar(1))
			b.Log("a", b.Scope().Scalar(1))
			return nil
		}, `log "a" given twice`},
	} {
		m, err := tfrun.NewCustom("bad", map[string][]int{"x": {2}}, 1, c.build)
		if m != nil {
			m.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.what, err, c.want)
		}
	}
	m, err := tfrun.NewCustom("regression", map[string][]int{"x": {2}, "y": {1}}, 1, regressionStep)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	noY := regressionData(4)
	delete(noY.Inputs, "y")
	wide := regressionData(4)
	wide.Inputs["x"] = tfrun.Floats(make([]float32, 12), 3)
	for _, c := range []struct {
		what string
		data tfrun.Data
		opt  tfrun.FitOption
		want string
	}{
		{"an input missing", noY, tfrun.Epochs(1), `no data for the step's input "y"`},
		{"an input of another shape", wide, tfrun.Epochs(1), `data.Inputs["x"]: float32 examples of shape [2] wanted, got [3]`},
		{"validation data", regressionData(4), tfrun.ValidationData(regressionData(4)), "option ValidationData"},
	} {
		if _, err := m.Fit(ctx, c.data, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.what, err, c.want)
		}
	}
	if _, err := m.Predict(ctx, "nope", tfrun.Floats([]float32{1, 2}, 2)); err == nil || !strings.Contains(err.Error(), `no network "nope"`) {
		t.Errorf("an unknown network: err = %v", err)
	}
	if _, err := m.Predict(ctx, "linear", tfrun.Floats([]float32{1, 2, 3}, 3)); err == nil || !strings.Contains(err.Error(), "shape [2]") {
		t.Errorf("examples of another shape: err = %v", err)
	}
}

// Noise draws fresh values every step, [batch, shape...], standard normal.
func TestCustomStepNoise(t *testing.T) {
	step := func(b *tfrun.StepBuilder) error {
		if err := regressionStep(b); err != nil {
			return err
		}
		s := b.Scope()
		z := b.Noise(500)
		b.Log("noise_mean", op.Mean(s.Op("Mean"), z, s.Const([]int32{0, 1})))
		b.Log("noise_var", op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), z), s.Const([]int32{0, 1})))
		rows := op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), z), s.Const([]int32{0}), s.Const([]int32{1}))
		b.Log("noise_rows", op.Cast(s.Op("Cast"), op.Sum(s.Op("Sum"), rows, s.Const(int32(0))), tf.Float))
		return nil
	}
	m, err := tfrun.NewCustom("noise", map[string][]int{"x": {2}, "y": {1}}, 1, step)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h, err := m.Fit(context.Background(), regressionData(20), tfrun.Epochs(3), tfrun.BatchSize(20)) // one step an epoch
	if err != nil {
		t.Fatal(err)
	}
	means, vars, rows := h.Metrics["noise_mean"], h.Metrics["noise_var"], h.Metrics["noise_rows"]
	if means[0] == means[1] || means[1] == means[2] {
		t.Errorf("noise means %v: the same draw twice", means)
	}
	for i := range 3 {
		if math.Abs(means[i]) > 0.05 || math.Abs(vars[i]-1) > 0.05 || rows[i] != 20 {
			t.Errorf("step %d: noise mean %v, mean square %v, rows %v; want about 0, 1 and 20", i+1, means[i], vars[i], rows[i])
		}
	}
}

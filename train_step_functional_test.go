package tfrun_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/runner"
)

// conditional is a small conditional GAN's step: a functional generator of noise and a
// class label (an IntInput into an Embedding, as the YAML cGAN's networks) and a
// functional discriminator of a point and its label, each minimized by its own Adam.
func conditional(b *tfrun.StepBuilder) error {
	net := func(main string, width, out int) (*tfrun.Model, error) {
		x, label := layers.Input(main, width), layers.IntInput("label", 1)
		emb := layers.Flatten().On(layers.Embedding(3, 4).On(label))
		h := layers.Dense(8, layers.Activation("relu")).On(layers.New("Concatenate").On(x, emb))
		return tfrun.Functional([]layers.Node{x, label}, []layers.Node{layers.Dense(out).On(h)})
	}
	gen, err := net("noise", 4, 2)
	if err != nil {
		return err
	}
	disc, err := net("point", 2, 1)
	if err != nil {
		return err
	}
	g, err := b.Network("generator", gen)
	if err != nil {
		return err
	}
	d, err := b.Network("discriminator", disc)
	if err != nil {
		return err
	}
	s := b.Scope()
	label := b.Input("label") // class ids, float32 here: CallInputs casts them to int32
	fake := g.CallInputs(map[string]tfrun.Output{"noise": b.Noise(4), "label": label}, true)
	real := d.CallInputs(map[string]tfrun.Output{"point": b.Input("point"), "label": label}, true)
	fakeD := d.CallInputs(map[string]tfrun.Output{"point": fake, "label": label}, true)
	mean := func(x tfrun.Output) tfrun.Output { return op.Mean(s.Op("Mean"), x, s.Const([]int32{0, 1})) }
	softplus := func(x tfrun.Output) tfrun.Output { // log(1 + e^x), stable
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
	b.Log("g_loss", gLoss)
	return nil
}

// conditionalData is n points near their class's centre (k, -k), k in 0..2.
func conditionalData(n int) tfrun.Data {
	p, l := make([]float32, 2*n), make([]int32, n)
	for i := range n {
		k := i % 3
		l[i] = int32(k)
		p[2*i], p[2*i+1] = float32(k)+float32(i%5)/10-0.2, -float32(k)+float32(i%7)/14-0.25
	}
	return tfrun.Data{Inputs: map[string]tfrun.Array{"point": tfrun.Floats(p, 2), "label": tfrun.Ints(l, 1)}}
}

// A custom step's networks may be functional, of several inputs: a conditional GAN's
// trains (its logs finite, its generator's points for each label as Keras's predict
// gives them), and a run interrupted in the middle of an epoch and resumed ends with the
// weights and losses of the run that was not interrupted, bit for bit.
func TestCustomStepFunctional(t *testing.T) {
	ctx := context.Background()
	inputs := map[string][]int{"point": {2}, "label": {1}}
	data := conditionalData(60)
	probe := map[string]tfrun.Array{"noise": tfrun.Floats(make([]float32, 12), 4), "label": tfrun.Ints([]int32{0, 1, 2}, 1)}
	fit := func(dir string, stopAt int64, resume bool) (*tfrun.History, []float32, error) {
		m, err := tfrun.NewCustom("cgan", inputs, 7, conditional)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		opts := []tfrun.FitOption{tfrun.Epochs(4), tfrun.BatchSize(16), tfrun.Callbacks(tfrun.LambdaCallback{OnBatchEnd: func(step int64, _ tfrun.Logs) error {
			if step == stopAt {
				cancel()
			}
			return nil
		}})}
		if dir != "" {
			opts = append(opts, tfrun.RunDir(dir))
		}
		if resume {
			opts = append(opts, tfrun.Resume())
		}
		h, err := m.Fit(ctx, data, opts...)
		if err != nil {
			return h, nil, err
		}
		p, err := m.PredictOutputs(ctx, "generator", probe)
		if err != nil {
			t.Fatal(err)
		}
		var out []float32
		for _, a := range p {
			if !slices.Equal(a.Shape, []int{2}) || len(a.Floats) != 6 {
				t.Fatalf("generator output %v: want 3 points of 2", a)
			}
			out = a.Floats
		}
		return h, out, nil
	}
	hw, pw, err := fit("", -1, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"d_loss", "g_loss"} {
		if l := hw.Metrics[k]; len(l) != 4 || slices.ContainsFunc(l, func(v float64) bool { return !(v > 0) || math.IsInf(v, 0) }) {
			t.Errorf("%s: %v, want 4 finite values > 0", k, l)
		}
	}
	if pw[0] == pw[2] && pw[2] == pw[4] {
		t.Errorf("the generator's points %v are the same for every label", pw)
	}
	dir := t.TempDir()
	if _, _, err := fit(dir, 6, false); !errors.Is(err, runner.ErrInterrupted) { // epoch 2 of 4 steps, step 2
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	hr, pr, err := fit(dir, -1, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"d_loss", "g_loss"} {
		if !slices.Equal(hw.Metrics[k], hr.Metrics[k]) {
			t.Errorf("%s: uninterrupted %v, resumed %v", k, hw.Metrics[k], hr.Metrics[k])
		}
	}
	if !slices.Equal(pw, pr) {
		t.Errorf("generator's points: uninterrupted %v, resumed %v", pw, pr)
	}
}

// A functional network's misuse is refused, naming the network and the input.
func TestCustomStepFunctionalErrors(t *testing.T) {
	two := func() *tfrun.Model {
		a, b := layers.Input("a", 2), layers.IntInput("label", 1)
		m, err := tfrun.Functional([]layers.Node{a, b}, []layers.Node{layers.Dense(1).On(layers.New("Concatenate").On(a, layers.Flatten().On(layers.Embedding(3, 2).On(b))))})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range []struct {
		what  string
		build func(b *tfrun.StepBuilder) error
		want  string
	}{
		{"an input shape given", func(b *tfrun.StepBuilder) error { _, err := b.Network("n", two(), 2); return err }, `network "n": a functional model's inputs have their shapes`},
		{"an input missing", func(b *tfrun.StepBuilder) error {
			n, err := b.Network("n", two())
			if err != nil {
				return err
			}
			y := n.CallInputs(map[string]tfrun.Output{"a": b.Input("x")}, true)
			return b.Minimize(op.Mean(b.Scope().Op("Mean"), y, b.Scope().Const([]int32{0, 1})), tfrun.Optimizer("sgd"), n)
		}, `network "n": no input "label" given`},
		{"an input it lacks", func(b *tfrun.StepBuilder) error {
			n, err := b.Network("n", two())
			if err != nil {
				return err
			}
			n.CallInputs(map[string]tfrun.Output{"a": b.Input("x"), "label": b.Input("x"), "z": b.Input("x")}, true)
			return nil
		}, `network "n" has no input "z"`},
	} {
		m, err := tfrun.NewCustom("bad", map[string][]int{"x": {2}}, 1, c.build)
		if m != nil {
			m.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.what, err, c.want)
		}
	}
}

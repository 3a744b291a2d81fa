package tfrun_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// twoByTwo is a model of inputs a (2) and b (1) and outputs c (a class of 2) and v (a
// value), compiled with opts after the per-output losses.
func twoByTwo(t *testing.T, opts ...tfrun.CompileOption) (*tfrun.Model, error) {
	t.Helper()
	a, b := layers.Input("a", 2), layers.Input("b", 1)
	h := layers.New("Concatenate").On(layers.Dense(4, layers.Activation("relu")).On(a), layers.Dense(2).On(b))
	c := layers.Dense(2, layers.Activation("softmax"), layers.Name("c")).On(h)
	v := layers.Dense(1, layers.Name("v")).On(h)
	m, err := tfrun.Functional([]layers.Node{a, b}, []layers.Node{c, v})
	if err != nil {
		t.Fatal(err)
	}
	base := []tfrun.CompileOption{tfrun.OutputLoss("c", "sparse_categorical_crossentropy"), tfrun.OutputLoss("v", "mse"), tfrun.Threads(1)}
	return m, m.Compile(append(base, opts...)...)
}

// twoByTwoData is n examples for twoByTwo: c is whether a's sum is positive, v is b·2.
func twoByTwoData(n int) tfrun.Data {
	a, b, c, v := make([]float32, 2*n), make([]float32, n), make([]int32, n), make([]float32, n)
	for i := range n {
		a[2*i], a[2*i+1], b[i] = float32(i%7)-3, float32(i%5)-2, float32(i%3)-1
		if a[2*i]+a[2*i+1] > 0 {
			c[i] = 1
		}
		v[i] = 2 * b[i]
	}
	return tfrun.Data{Inputs: map[string]tfrun.Array{"a": tfrun.Floats(a, 2), "b": tfrun.Floats(b, 1)},
		Outputs: map[string]tfrun.Array{"c": tfrun.Ints(c), "v": tfrun.Floats(v)}}
}

// Keras's defaults per output (accuracy for the classification output, nothing for the
// regression one), Keras's log names, and a run directory resumed by LoadWeights.
func TestSeveralOutputsDefaults(t *testing.T) {
	m, err := twoByTwo(t)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	data := twoByTwoData(64)
	dir := t.TempDir()
	h, err := m.Fit(ctx, data, tfrun.Epochs(3), tfrun.BatchSize(16), tfrun.ValidationData(data), tfrun.RunDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"loss", "c_loss", "c_accuracy", "v_loss", "val_loss", "val_c_accuracy", "val_v_loss"} {
		if len(h.Metrics[name]) != 3 {
			t.Errorf("%s: %v, want 3 epochs", name, h.Metrics[name])
		}
	}
	if _, ok := h.Metrics["v_accuracy"]; ok {
		t.Errorf("a regression output logs v_accuracy: %v", h.Metrics)
	}
	logs, err := m.Evaluate(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	n, err := twoByTwo(t)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if _, err := n.Evaluate(ctx, data); err != nil { // builds it
		t.Fatal(err)
	}
	if _, err := n.LoadWeights(dir); err != nil {
		t.Fatal(err)
	}
	again, err := n.Evaluate(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if again["loss"] != logs["loss"] || again["c_accuracy"] != logs["c_accuracy"] {
		t.Errorf("restored: %v, trained: %v", again, logs)
	}
}

// Every misuse of the several-outputs API is refused with an error saying what to do.
func TestSeveralOutputsErrors(t *testing.T) {
	ctx := context.Background()
	data := twoByTwoData(8)
	if _, err := twoByTwo(t, tfrun.Metrics("accuracy")); err == nil || !strings.Contains(err.Error(), "OutputMetrics") {
		t.Errorf("a metrics list with two outputs: err = %v, want one pointing to OutputMetrics", err)
	}
	for _, c := range []struct {
		what string
		opt  tfrun.CompileOption
		want string
	}{
		{"a loss for an output the model lacks", tfrun.OutputLoss("nope", "mse"), "train.loss.nope: not an output of the model (outputs: c, v)"},
		{"loss weights missing an output", tfrun.LossWeights(map[string]float64{"c": 1}), "train.loss_weights.v"},
		{"metrics for an output the model lacks", tfrun.OutputMetrics("w", "mae"), "train.metrics.w"},
		{"accuracy on a regression output", tfrun.OutputMetrics("v", "accuracy"), "regression loss"},
	} {
		if _, err := twoByTwo(t, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.what, err, c.want)
		}
	}
	seq, err := tfrun.Sequential(layers.Dense(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := seq.Compile(tfrun.OutputLoss("dense", "mse")); err == nil || !strings.Contains(err.Error(), "use Loss") {
		t.Errorf("OutputLoss on a Sequential model: err = %v", err)
	}
	m, err := twoByTwo(t)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.PredictOutputs(ctx, data.Inputs); !errors.Is(err, tfrun.ErrNotBuilt) {
		t.Errorf("PredictOutputs before a fit: err = %v, want ErrNotBuilt", err)
	}
	missing := twoByTwoData(8)
	delete(missing.Inputs, "b")
	short := twoByTwoData(8)
	short.Outputs["v"] = tfrun.Floats(make([]float32, 5))
	weighted := twoByTwoData(8)
	weighted.SampleWeight = make([]float32, 8)
	xy := tfrun.Data{X: tfrun.Floats(make([]float32, 16), 2), Y: tfrun.Floats(make([]float32, 8))}
	extra := twoByTwoData(8)
	extra.Inputs["z"] = tfrun.Floats(make([]float32, 8))
	noOutputs := twoByTwoData(8)
	noOutputs.Outputs = nil
	for _, c := range []struct {
		what string
		data tfrun.Data
		want string
	}{
		{"an input missing", missing, `no data for the model's input "b"`},
		{"an output of 5 examples", short, `Outputs["v"]: 5 examples, the others have 8`},
		{"sample weights", weighted, "sample weights"},
		{"X and Y", xy, "takes Data.Inputs and Data.Outputs"},
		{"no Outputs", noOutputs, "no Outputs"},
		{"an input the model lacks", extra, `data for input "z", which the model lacks`},
	} {
		if _, err := m.Fit(ctx, c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.what, err, c.want)
		}
	}
	if _, err := m.Fit(ctx, data); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(ctx, tfrun.Floats(make([]float32, 2), 2)); err == nil || !strings.Contains(err.Error(), "PredictOutputs") {
		t.Errorf("Predict on two outputs: err = %v", err)
	}
	wide := twoByTwoData(8)
	wide.Inputs["b"] = tfrun.Floats(make([]float32, 16), 2)
	if _, err := m.Evaluate(ctx, wide); err == nil || !strings.Contains(err.Error(), "was built for") {
		t.Errorf("an input of another shape: err = %v", err)
	}
	if _, err := m.Fit(ctx, data, tfrun.ValidationData(wide)); err == nil || !strings.Contains(err.Error(), "validation data") {
		t.Errorf("validation data of another shape: err = %v", err)
	}
	single, err := tfrun.Sequential(layers.Dense(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := single.Compile(tfrun.Loss("mse")); err != nil {
		t.Fatal(err)
	}
	if _, err := single.Fit(ctx, data); err == nil || !strings.Contains(err.Error(), "takes X and Y") {
		t.Errorf("Inputs for a one-input model: err = %v", err)
	}
}

package tfrun_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// A functional model with a residual connection and a layer called twice (shared weights)
// builds, summarizes and trains on the wine table.
func TestFunctional(t *testing.T) {
	data := wineData(t)
	in := layers.Input("features", 13)
	x := layers.New("Normalization").On(in)
	shared := layers.Dense(13, layers.Activation("tanh"))
	h := shared.On(x)
	h = layers.New("Add").On(h, x)
	h = shared.On(h) // the same Dense again: its weights are shared
	out := layers.Dense(3, layers.Activation("softmax")).On(h)
	m, err := tfrun.Functional([]layers.Node{in}, []layers.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("sparse_categorical_crossentropy"), tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)), tfrun.Threads(1)); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(tfrun.Floats(nil, 13)); err != nil {
		t.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + s)
	// 13·13+13 weights of the shared Dense counted once, 13·3+3 of the head, 27 of Normalization
	if !strings.Contains(s, "Total params: 251") {
		t.Errorf("summary:\n%s\nwant Total params: 251 (the shared Dense counted once)", s)
	}
	ctx := context.Background()
	if _, err := m.Fit(ctx, data, tfrun.Epochs(10), tfrun.BatchSize(16)); err != nil {
		t.Fatal(err)
	}
	logs, err := m.Evaluate(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if logs["accuracy"] < 0.95 {
		t.Errorf("accuracy %.4f, want >= 0.95", logs["accuracy"])
	}
}

// Wrong graphs are Functional's errors. A call's error is its graph's (each case makes
// its own input).
func TestFunctionalRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		graph func(in layers.Node) (outputs []layers.Node)
		want  string
	}{
		{"no outputs", func(layers.Node) []layers.Node { return nil }, "no inputs or no outputs"},
		{"a bad layer", func(in layers.Node) []layers.Node { return []layers.Node{layers.Dense(0).On(in)} }, "layer Dense: units"},
		{"not connected", func(layers.Node) []layers.Node { return []layers.Node{layers.Dense(1).On(layers.Input("y", 4))} }, "not connected"},
		{"an input left out", func(in layers.Node) []layers.Node {
			return []layers.Node{layers.New("Add").On(layers.Dense(4).On(in), layers.Input("z", 4))}
		}, `input "z" is used but not one of the model's inputs`},
		{"a zero node", func(in layers.Node) []layers.Node { return []layers.Node{layers.Dense(1).On(in, layers.Node{})} }, "zero Node"},
		{"a good graph", func(in layers.Node) []layers.Node { return []layers.Node{layers.Dense(1).On(layers.Dense(2).On(in))} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := layers.Input("x", 4)
			_, err := tfrun.Functional([]layers.Node{in}, tc.graph(in))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v for a good graph", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

package builders

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// A layer called twice in a Functional model has one set of variables, and the summary
// lists it once, connected to both calls' inputs (Keras's name[node][0]).
func TestFunctionalSharedLayer(t *testing.T) {
	shared := NewDense("shared", 3, "tanh")
	m := NewFunctional("", []string{"x"}, []string{"head"},
		Node{Tensor: "a", Layer: NewDense("a", 4, "relu"), Call: []string{"x"}},
		Node{Tensor: "b", Layer: NewDense("b", 4, "relu"), Call: []string{"x"}},
		Node{Tensor: "sa", Layer: shared, Call: []string{"a"}},
		Node{Tensor: "sb", Layer: shared, Call: []string{"b"}},
		Node{Tensor: "join", Layer: NewConcatenate("join"), Call: []string{"sa", "sb"}},
		Node{Tensor: "head", Layer: NewDense("head", 2, "softmax"), Call: []string{"join"}},
	)
	g := graphs.NewGraph(tf.Float, 1)
	if err := m.Build(g.Root(), Shape{5}); err != nil {
		t.Fatal(err)
	}
	if got := m.OutputShape().String(); got != "(None, 2)" {
		t.Errorf("output shape %s", got)
	}
	var names []string
	for _, v := range m.Variables() {
		names = append(names, v.Name)
	}
	want := "functional/a/kernel functional/a/bias functional/b/kernel functional/b/bias functional/shared/kernel functional/shared/bias functional/head/kernel functional/head/bias"
	if strings.Join(names, " ") != want {
		t.Errorf("variables %v\nwant %s", names, want)
	}
	x := g.Root().Placeholder("x", tf.Float, -1, 5)
	out, logits := m.Call(x, false)
	if !g.Root().Ok(out, logits) || logits.Op == nil {
		t.Fatalf("Call: %v (logits %v)", g.Root().Err(), logits.Op)
	}
	sum := m.Summary()
	for _, s := range []string{"Connected to", "x (InputLayer)", "shared (Dense)", "a[0][0]", "b[0][0]", "join (Concatenate)", "shared[0][0]", "shared[1][0]", "Total params: 77"} {
		if !strings.Contains(sum, s) {
			t.Errorf("summary lacks %q:\n%s", s, sum)
		}
	}
}

// Build refuses what it cannot build, naming the tensor and the layer.
func TestFunctionalBuildErrors(t *testing.T) {
	shared := NewDense("shared", 3, "")
	tests := []struct {
		name  string
		nodes []Node
		want  string
	}{
		{"unknown tensor", []Node{{Tensor: "head", Layer: NewDense("head", 2, ""), Call: []string{"y"}}}, `unknown tensor "y"`},
		{"shared on another shape", []Node{
			{Tensor: "a", Layer: NewDense("a", 4, ""), Call: []string{"x"}},
			{Tensor: "s1", Layer: shared, Call: []string{"x"}},
			{Tensor: "head", Layer: shared, Call: []string{"a"}},
		}, `layer "shared" was built for [(None, 5)], called again on [(None, 4)]`},
		{"merge shapes", []Node{
			{Tensor: "a", Layer: NewDense("a", 4, ""), Call: []string{"x"}},
			{Tensor: "head", Layer: NewAdd("head"), Call: []string{"a", "x"}},
		}, `layer "head" (Add): inputs have incompatible shapes (None, 4) and (None, 5)`},
		{"plain layer on two tensors", []Node{
			{Tensor: "head", Layer: NewDense("head", 2, ""), Call: []string{"x", "x"}},
		}, `layer "head" (Dense) takes one tensor, called on 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewFunctional("", []string{"x"}, []string{"head"}, tt.nodes...)
			err := m.Build(graphs.NewGraph(tf.Float, 1).Root(), Shape{5})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build: %v, want %q", err, tt.want)
			}
		})
	}
}

// BuildGraph and CallGraph take several inputs and give several outputs by name (what
// multi-input configs will use); Build and Call, the classifier's Model, refuse them.
func TestFunctionalSeveralInputsOutputs(t *testing.T) {
	nodes := func() []Node {
		return []Node{
			{Tensor: "a", Layer: NewDense("a", 3, ""), Call: []string{"x"}},
			{Tensor: "b", Layer: NewDense("b", 3, ""), Call: []string{"z"}},
			{Tensor: "sum", Layer: NewAdd("sum"), Call: []string{"a", "b"}},
			{Tensor: "p", Layer: NewDense("p", 2, "softmax"), Call: []string{"sum"}},
			{Tensor: "q", Layer: NewDense("q", 1, "sigmoid"), Call: []string{"b"}},
		}
	}
	m := NewFunctional("", []string{"x", "z"}, []string{"p", "q"}, nodes()...)
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	if err := m.BuildGraph(s, map[string]Shape{"x": {4}, "z": {2}}); err != nil {
		t.Fatal(err)
	}
	if got := m.OutputShapes(); len(got) != 2 || got[0].String() != "(None, 2)" || got[1].String() != "(None, 1)" {
		t.Errorf("output shapes %v", got)
	}
	outs, logits := m.CallGraph(map[string]tf.Output{
		"x": s.Placeholder("x", tf.Float, -1, 4), "z": s.Placeholder("z", tf.Float, -1, 2)}, true)
	if len(outs) != 2 || len(logits) != 2 || !s.Ok(outs["p"], outs["q"], logits["p"], logits["q"]) {
		t.Fatalf("CallGraph: %d outputs, %d logits, %v", len(outs), len(logits), s.Err())
	}
	if !strings.Contains(m.Summary(), "z (InputLayer)") {
		t.Errorf("summary lacks the second input:\n%s", m.Summary())
	}
	one := NewFunctional("", []string{"x", "z"}, []string{"p", "q"}, nodes()...)
	if err := one.Build(graphs.NewGraph(tf.Float, 1).Root(), Shape{4}); err == nil || !strings.Contains(err.Error(), "not yet supported") {
		t.Errorf("Build of a two-input model: %v", err)
	}
}

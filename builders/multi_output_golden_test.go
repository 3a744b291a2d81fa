package builders

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// multiOutputGolden is builders/testdata/keras_multi_output.json
// (testdata/keras/make_multi_output_golden.py).
type multiOutputGolden struct {
	Keras, TensorFlow string
	Losses            map[string]string  `json:"losses"`
	LossWeights       map[string]float64 `json:"loss_weights"`
	OutputNames       []string           `json:"output_names"`
	Inputs, Labels    map[string]struct {
		Shape  []int64   `json:"shape"`
		Values []float64 `json:"values"`
	}
	Weights []struct {
		Path   string    `json:"path"`
		Shape  []int64   `json:"shape"`
		Values []float64 `json:"values"`
	} `json:"weights"`
	Outputs map[string]struct {
		Shape  []int64   `json:"shape"`
		Values []float64 `json:"values"`
	} `json:"outputs"`
	Loss         float64            `json:"loss"`
	OutputLosses map[string]float64 `json:"output_losses"`
	Gradients    []struct {
		Path   string    `json:"path"`
		Values []float64 `json:"values"`
	} `json:"gradients"`
	LogNames []string `json:"log_names"`
}

// A functional model of two inputs (one Embedding shared by both) and two outputs,
// compiled with a loss per output and loss_weights, matches Keras 3.15.1: both outputs to
// 1e-5, each output's unweighted loss and the weighted total to 1e-5, and the gradient of
// the total to 1e-4; and the log names tfrun's configs derive are Keras's.
func TestMultiOutputKerasTwin(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_multi_output.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g multiOutputGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	emb := NewEmbedding("emb", 12, 4)
	m := NewFunctional("functional", []string{"title", "body"}, []string{"class", "value"},
		Node{Tensor: "emb", Layer: emb, Call: []string{"title"}},
		Node{Tensor: "emb_1", Layer: emb, Call: []string{"body"}},
		Node{Tensor: "title_pool", Layer: NewGlobalAveragePooling1D("title_pool"), Call: []string{"emb"}},
		Node{Tensor: "body_pool", Layer: NewGlobalAveragePooling1D("body_pool"), Call: []string{"emb_1"}},
		Node{Tensor: "join", Layer: NewConcatenate("join"), Call: []string{"title_pool", "body_pool"}},
		Node{Tensor: "hidden", Layer: NewDense("hidden", 5, "tanh"), Call: []string{"join"}},
		Node{Tensor: "class", Layer: NewDense("class", 3, "softmax"), Call: []string{"hidden"}},
		Node{Tensor: "value", Layer: NewDense("value", 1, ""), Call: []string{"hidden"}},
	)
	gr := graphs.NewGraph(tf.Float, 1)
	s := gr.Root()
	if err := m.BuildGraph(s, map[string]Shape{"title": {4}, "body": {4}}); err != nil {
		t.Fatal(err)
	}
	xs := map[string]tf.Output{}
	for _, name := range m.Inputs {
		xs[name] = s.Placeholder(name, tf.Int32, append([]int64{-1}, g.Inputs[name].Shape[1:]...)...)
	}
	ys := map[string]tf.Output{
		"class": s.Placeholder("y_class", tf.Float, -1),
		"value": s.Placeholder("y_value", tf.Float, -1, 1),
	}
	inference, _ := m.CallGraph(xs, false)
	pred, logits := m.CallGraph(xs, true)
	var outs []OutputLoss
	for _, name := range g.OutputNames {
		lc, err := configs.NewLoss(g.Losses[name])
		if err != nil {
			t.Fatal(err)
		}
		l, err := NewLoss(lc)
		if err != nil {
			t.Fatal(err)
		}
		in := LossInput{YTrue: ys[name], YPred: pred[name]}
		if lg, ok := logits[name]; ok {
			in.Logits, in.Activation = lg, "softmax"
		}
		outs = append(outs, OutputLoss{Name: name, Loss: l, Weight: g.LossWeights[name], In: in})
	}
	total, each := CompileLoss(s.Sub("loss"), outs, tf.Output{})
	vars := m.Variables()
	values := make([]tf.Output, len(vars))
	for i, v := range vars {
		values[i] = v.Value()
	}
	grads, err := s.Gradients(total, values)
	if err != nil {
		t.Fatal(err)
	}
	if len(vars) != len(g.Weights) || len(vars) != len(g.Gradients) {
		t.Fatalf("%d variables, Keras %d (%d gradients)", len(vars), len(g.Weights), len(g.Gradients))
	}
	sess, err := graphs.NewSession(gr, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	tensors := make([]*tf.Tensor, len(vars))
	for i, w := range g.Weights {
		if want := "functional/" + w.Path; vars[i].Name != want {
			t.Errorf("variable %d: %q, Keras's is %q", i, vars[i].Name, want)
		}
		if tensors[i], err = graphs.NewTensor(toF32(w.Values), w.Shape...); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.Set(vars, tensors); err != nil {
		t.Fatal(err)
	}
	feeds := map[tf.Output]*tf.Tensor{}
	for name, x := range xs {
		ids := make([]int32, len(g.Inputs[name].Values))
		for i, v := range g.Inputs[name].Values {
			ids[i] = int32(v)
		}
		if feeds[x], err = graphs.NewTensor(ids, g.Inputs[name].Shape...); err != nil {
			t.Fatal(err)
		}
	}
	for name, y := range ys {
		if feeds[y], err = graphs.NewTensor(toF32(g.Labels[name].Values), g.Labels[name].Shape...); err != nil {
			t.Fatal(err)
		}
	}
	fetch := []tf.Output{inference["class"], inference["value"], total, each[0], each[1]}
	got, err := sess.Run(feeds, append(fetch, grads...))
	if err != nil {
		t.Fatal(err)
	}
	compare := func(what string, got, want []float64, tol float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, Keras %d", what, len(got), len(want))
		}
		worst := 0.0
		for i := range want {
			worst = math.Max(worst, math.Abs(got[i]-want[i]))
		}
		if worst > tol {
			t.Errorf("%s: max |tfrun − Keras| = %.3g > %g", what, worst, tol)
		}
		t.Logf("%s: max |tfrun − Keras| = %.2g", what, worst)
	}
	compare("output class", graphs.Float64s(got[0]), g.Outputs["class"].Values, 1e-5)
	compare("output value", graphs.Float64s(got[1]), g.Outputs["value"].Values, 1e-5)
	compare("loss (weighted sum)", []float64{graphs.Scalar64(got[2])}, []float64{g.Loss}, 1e-5)
	compare("class_loss", []float64{graphs.Scalar64(got[3])}, []float64{g.OutputLosses["class"]}, 1e-5)
	compare("value_loss", []float64{graphs.Scalar64(got[4])}, []float64{g.OutputLosses["value"]}, 1e-5)
	for i, gw := range g.Gradients {
		compare("gradient of "+gw.Path, graphs.Float64s(got[len(fetch)+i]), gw.Values, 1e-4)
	}

	// The names tfrun logs for this compile are the ones Keras's fit logged.
	tr := configs.Train{PerOutput: configs.PerOutput{
		Losses: map[string]configs.Loss{}, LossWeights: g.LossWeights,
		Metrics: map[string][]string{"class": {"accuracy"}, "value": {"mae"}},
	}}
	for name, l := range g.Losses {
		if tr.PerOutput.Losses[name], err = configs.NewLoss(l); err != nil {
			t.Fatal(err)
		}
	}
	model := &configs.Model{Inputs: configs.Inputs{{Name: "title"}, {Name: "body"}}, Outputs: g.OutputNames}
	if err := tr.ResolveOutputs(model); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range tr.LogNames() {
		names = append(names, n, "val_"+n)
	}
	slices.Sort(names)
	if !slices.Equal(names, g.LogNames) {
		t.Errorf("log names %q, Keras's %q", names, g.LogNames)
	}
}

func toF32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, x := range xs {
		out[i] = float32(x)
	}
	return out
}

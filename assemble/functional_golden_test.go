package assemble

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// The Keras equivalence of functional models: YAML twins of the models that
// builders/testdata/keras/make_functional_golden.py builds in Keras 3.15.1 (a residual
// block, a Dense shared by two branches), given Keras's weights, match Keras's inference
// outputs to 1e-5 and one training step's loss and gradients to 1e-4.
var functionalTwins = map[string]string{
	"residual": `
name: residual
task: classifier
data: {format: image_directory, path: /nonexistent, image_size: [6, 6], class_names: [a, b, c, d]}
model:
  inputs: {image: {shape: [6, 6, 3]}}
  layers:
    - {name: conv1, type: Conv2D, filters: 3, kernel_size: 3, padding: same, call: image}
    - {name: bn1, type: BatchNormalization}
    - {name: relu1, type: Activation, activation: relu}
    - {name: conv2, type: Conv2D, filters: 3, kernel_size: 3, padding: same}
    - {name: res, type: Add, call: [conv2, image]}
    - {name: pool, type: GlobalAveragePooling2D}
    - {name: head, type: Dense, units: 4, activation: softmax}
  outputs: [head]
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`,
	"shared": `
name: shared
task: classifier
data: {dataset: imdb, num_words: 12, maxlen: 5}
model:
  inputs: {ids: {dtype: int32}}
  layers:
    - {name: emb, type: Embedding, input_dim: 12, output_dim: 4}
    - {name: mean, type: GlobalAveragePooling1D, call: emb}
    - {name: max, type: GlobalMaxPooling1D, call: emb}
    - {name: shared, type: Dense, units: 3, activation: tanh, call: mean}
    - {name: shared_max, reuse: shared, call: max}
    - {name: join, type: Concatenate, call: [shared, shared_max]}
    - {name: head, type: Dense, units: 2, activation: softmax}
  outputs: [head]
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`,
}

type functionalGolden struct {
	Keras, TensorFlow string
	Models            []struct {
		Name       string    `json:"name"`
		InputShape []int64   `json:"input_shape"`
		Input      []float64 `json:"input"`
		Labels     []float64 `json:"labels"`
		Weights    []struct {
			Path   string    `json:"path"`
			Shape  []int64   `json:"shape"`
			Values []float64 `json:"values"`
		} `json:"weights"`
		OutputShape []int64   `json:"output_shape"`
		Output      []float64 `json:"output"`
		Loss        float64   `json:"loss"`
		Gradients   []struct {
			Path   string    `json:"path"`
			Values []float64 `json:"values"`
		} `json:"gradients"`
	} `json:"models"`
}

func TestFunctionalKerasTwins(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "builders", "testdata", "keras_functional.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g functionalGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	if len(g.Models) != len(functionalTwins) {
		t.Fatalf("%d golden models, %d twins", len(g.Models), len(functionalTwins))
	}
	for _, km := range g.Models {
		t.Run(km.Name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), km.Name+".yaml")
			if err := os.WriteFile(path, []byte(functionalTwins[km.Name]), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := configs.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			in := builders.Shape{}
			for _, d := range km.InputShape[1:] {
				in = append(in, int(d))
			}
			m, _, err := Functional(&cfg.Supervised().Model, in)
			if err != nil {
				t.Fatal(err)
			}
			gr := graphs.NewGraph(tf.Float, 1)
			s := gr.Root()
			if err := m.Build(s, in); err != nil {
				t.Fatal(err)
			}
			ids := km.Name == "shared"
			dt := tf.Float
			if ids {
				dt = tf.Int32
			}
			x := s.Placeholder("x", dt, append([]int64{-1}, km.InputShape[1:]...)...)
			y := s.Placeholder("y", tf.Float, -1)
			prob, _ := m.Call(x, false)
			_, logits := m.Call(x, true)
			classes := m.OutputShape()[0]
			loss := builders.Mean(s, builders.SparseSoftmaxCrossEntropy(s.Sub("loss"), logits, y, classes))
			vars := m.Variables()
			var trainable []*graphs.Variable
			var values []tf.Output
			for _, v := range vars {
				if v.Trainable {
					trainable = append(trainable, v)
					values = append(values, v.Value())
				}
			}
			grads, err := s.Gradients(loss, values)
			if err != nil {
				t.Fatal(err)
			}
			if len(vars) != len(km.Weights) || len(trainable) != len(km.Gradients) {
				t.Fatalf("%d variables (%d trainable), Keras %d (%d)", len(vars), len(trainable), len(km.Weights), len(km.Gradients))
			}
			sess, err := graphs.NewSession(gr, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			tensors := make([]*tf.Tensor, len(vars))
			for i, w := range km.Weights {
				if want := "functional/" + w.Path; vars[i].Name != want {
					t.Errorf("variable %d: %q, Keras's is %q", i, vars[i].Name, want)
				}
				if tensors[i], err = graphs.NewTensor(f32s(w.Values), w.Shape...); err != nil {
					t.Fatal(err)
				}
			}
			if err := sess.Set(vars, tensors); err != nil {
				t.Fatal(err)
			}
			var xt *tf.Tensor
			if ids {
				v := make([]int32, len(km.Input))
				for i, f := range km.Input {
					v[i] = int32(f)
				}
				xt, err = graphs.NewTensor(v, km.InputShape...)
			} else {
				xt, err = graphs.NewTensor(f32s(km.Input), km.InputShape...)
			}
			if err != nil {
				t.Fatal(err)
			}
			yt, err := graphs.NewTensor(f32s(km.Labels), int64(len(km.Labels)))
			if err != nil {
				t.Fatal(err)
			}
			out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt, y: yt}, append([]tf.Output{prob, loss}, grads...))
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
			compare("output", graphs.Float64s(out[0]), km.Output, 1e-5)
			compare("loss", []float64{graphs.Scalar64(out[1])}, []float64{km.Loss}, 1e-4)
			for i, gw := range km.Gradients {
				compare("gradient of "+gw.Path, graphs.Float64s(out[2+i]), gw.Values, 1e-4)
			}
		})
	}
}

func f32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

package builders

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// mergeCase is one merge layer of testdata/keras_functional.json.
type mergeCase struct {
	Name        string         `json:"name"`
	Class       string         `json:"class"`
	Config      map[string]any `json:"config"`
	InputShapes [][]int64      `json:"input_shapes"`
	Inputs      [][]float64    `json:"inputs"`
	OutputShape []int64        `json:"output_shape"`
	Output      []float64      `json:"output"`
}

// newMerge makes the merge layer of a Keras class and config.
func newMerge(class string, config map[string]any) (MergeLayer, error) {
	name := kerasSnake(class)
	switch class {
	case "Add":
		return NewAdd(name), nil
	case "Subtract":
		return NewSubtract(name), nil
	case "Multiply":
		return NewMultiply(name), nil
	case "Average":
		return NewAverage(name), nil
	case "Maximum":
		return NewMaximum(name), nil
	case "Minimum":
		return NewMinimum(name), nil
	case "Concatenate":
		c := NewConcatenate(name)
		if a, ok := config["axis"].(float64); ok {
			c.Axis = int(a)
		}
		return c, nil
	case "Dot":
		var axes [2]int
		switch a := config["axes"].(type) {
		case float64:
			axes = [2]int{int(a), int(a)}
		case []any:
			axes = [2]int{int(a[0].(float64)), int(a[1].(float64))}
		}
		d := NewDot(name, axes)
		d.Normalize, _ = config["normalize"].(bool)
		return d, nil
	}
	return nil, fmt.Errorf("no merge layer %s", class)
}

func kerasSnake(class string) string {
	return map[string]string{"Add": "add", "Subtract": "subtract", "Multiply": "multiply", "Average": "average",
		"Maximum": "maximum", "Minimum": "minimum", "Concatenate": "concatenate", "Dot": "dot"}[class]
}

// Each merge layer's forward pass matches Keras 3.15.1's on the recorded inputs
// (broadcasting, any Concatenate axis, Dot's axes and normalize).
func TestMergeLayersKeras(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_functional.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Keras, TensorFlow string
		Merges            []mergeCase `json:"merges"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s", g.Keras, g.TensorFlow)
	}
	classes := map[string]bool{}
	for _, mc := range g.Merges {
		t.Run(mc.Name, func(t *testing.T) {
			classes[mc.Class] = true
			l, err := newMerge(mc.Class, mc.Config)
			if err != nil {
				t.Fatal(err)
			}
			gr := graphs.NewGraph(tf.Float, 1)
			s := gr.Root()
			var ins []Shape
			var xs []tf.Output
			feeds := map[tf.Output]*tf.Tensor{}
			for i, sh := range mc.InputShapes {
				ins = append(ins, shapeOf(sh[1:]))
				x := s.Placeholder(fmt.Sprintf("x%d", i), tf.Float, append([]int64{-1}, sh[1:]...)...)
				xs = append(xs, x)
				v, err := graphs.NewTensor(float32s(mc.Inputs[i]), sh...)
				if err != nil {
					t.Fatal(err)
				}
				feeds[x] = v
			}
			out, err := l.BuildMerge(s, ins)
			if err != nil {
				t.Fatal(err)
			}
			if want := shapeOf(mc.OutputShape[1:]); out.String() != want.String() {
				t.Errorf("output shape %v, Keras %v", out, want)
			}
			y := l.CallMerge(xs, false)
			sess, err := graphs.NewSession(gr, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			res, err := sess.Run(feeds, []tf.Output{y})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(res[0].Shape()) != fmt.Sprint(mc.OutputShape) {
				t.Fatalf("output tensor %v, Keras %v", res[0].Shape(), mc.OutputShape)
			}
			worst := 0.0
			for i, v := range graphs.Float64s(res[0]) {
				worst = math.Max(worst, math.Abs(v-mc.Output[i]))
			}
			if worst > kerasGoldenTol {
				t.Errorf("max |tfrun − Keras| = %.3g > %g", worst, kerasGoldenTol)
			}
		})
	}
	for _, c := range []string{"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"} {
		if !classes[c] {
			t.Errorf("no golden case of %s", c)
		}
	}
}

// Each merge layer's gradient, to every input, matches central finite differences
// (float64), broadcasting and Dot's transposes and normalize included.
func TestMergeLayersGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	p := func(name string, shape ...int64) gradcheck.Param { return gradcheck.Random(name, rng, 1, shape...) }
	cases := []struct {
		name   string
		layer  func() MergeLayer
		params []gradcheck.Param
	}{
		{"add_broadcast", func() MergeLayer { return NewAdd("add") }, []gradcheck.Param{p("a", 2, 3, 4), p("b", 2, 1, 4), p("c", 2, 4)}},
		{"subtract", func() MergeLayer { return NewSubtract("subtract") }, []gradcheck.Param{p("a", 2, 3, 4), p("b", 2, 3, 1)}},
		{"multiply", func() MergeLayer { return NewMultiply("multiply") }, []gradcheck.Param{p("a", 2, 5), p("b", 2, 5), p("c", 2, 1)}},
		{"average", func() MergeLayer { return NewAverage("average") }, []gradcheck.Param{p("a", 2, 3), p("b", 2, 3), p("c", 2, 3)}},
		{"maximum", func() MergeLayer { return NewMaximum("maximum") }, []gradcheck.Param{p("a", 2, 3, 4), p("b", 2, 3, 4)}},
		{"minimum", func() MergeLayer { return NewMinimum("minimum") }, []gradcheck.Param{p("a", 2, 6), p("b", 2, 6)}},
		{"concatenate_axis1", func() MergeLayer { c := NewConcatenate("concatenate"); c.Axis = 1; return c },
			[]gradcheck.Param{p("a", 2, 3, 4), p("b", 2, 2, 4)}},
		{"dot_matrices", func() MergeLayer { return NewDot("dot", [2]int{1, 2}) }, []gradcheck.Param{p("a", 2, 3, 4), p("b", 2, 5, 3)}},
		{"dot_normalize", func() MergeLayer { d := NewDot("dot", [2]int{-1, -1}); d.Normalize = true; return d },
			[]gradcheck.Param{p("a", 2, 5), p("b", 2, 5)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := gradcheck.Check(tc.params, func(s *graphs.Scope, in []tf.Output) tf.Output {
				l := tc.layer()
				var ins []Shape
				for _, prm := range tc.params {
					ins = append(ins, shapeOf(prm.Shape[1:]))
				}
				out, err := l.BuildMerge(s, ins)
				if err != nil {
					s.Fail("%v", err)
					return tf.Output{}
				}
				return gradcheck.Project(s, l.CallMerge(in, true), append([]int64{2}, out.Int64s()...), 5)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative difference %.2g", worst)
		})
	}
}

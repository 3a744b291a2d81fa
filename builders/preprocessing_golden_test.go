package builders

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// preprocessingGolden is testdata/keras_preprocessing.json, written by
// testdata/keras/make_preprocessing_golden.py: a keras_golden.json case plus, for a random
// layer's training output, the draws Keras's transformation was made from.
type preprocessingGolden struct {
	Keras      string `json:"keras"`
	TensorFlow string `json:"tensorflow"`
	Cases      []struct {
		kerasCase
		Draws [][]float64 `json:"draws"`
	}
}

// drawn is a random layer whose training transformation, given its draws, can be applied
// directly (its Call draws them and calls apply).
type drawn interface {
	Layer
	apply(x, draws tf.Output) tf.Output
}

func preprocessingLayers() map[string]func() Layer {
	zoom := func(h float64, w *float64, fill string) func() Layer {
		return func() Layer {
			z := NewRandomZoom("random_zoom", h)
			z.WidthFactor, z.FillMode = w, fill
			return z
		}
	}
	half := 0.5
	return map[string]func() Layer{
		"rescaling":        func() Layer { return NewRescaling("rescaling", 1/255.0) },
		"rescaling_offset": func() Layer { r := NewRescaling("rescaling", 1/127.5); r.Offset = -1; return r },
		"resizing_up":      func() Layer { return NewResizing("resizing", 7, 9) },
		"resizing_down":    func() Layer { return NewResizing("resizing", 3, 4) },
		"resizing_nearest": func() Layer {
			r := NewResizing("resizing", 7, 4)
			r.Interpolation = configs.InterpolationNearest
			return r
		},
		"resizing_crop_to_aspect_ratio": func() Layer { r := NewResizing("resizing", 3, 3); r.CropToAspectRatio = true; return r },
		"center_crop":                   func() Layer { return NewCenterCrop("center_crop", 3, 4) },
		"center_crop_larger":            func() Layer { return NewCenterCrop("center_crop", 7, 4) },
		"random_crop_inference":         func() Layer { return NewRandomCrop("random_crop", 3, 4) },
		"random_flip_inference":         func() Layer { return NewRandomFlip("random_flip") },
		"random_translation_inference":  func() Layer { return NewRandomTranslation("random_translation", 0.2, 0.3) },
		"random_rotation_inference":     func() Layer { return NewRandomRotation("random_rotation", 0.2) },
		"random_zoom_inference":         zoom(0.2, nil, configs.FillReflect),
		"random_contrast_inference":     func() Layer { return NewRandomContrast("random_contrast", 0.5) },
		"random_flip_horizontal":        func() Layer { f := NewRandomFlip("random_flip"); f.Mode = configs.FlipHorizontal; return f },
		"random_flip_vertical":          func() Layer { f := NewRandomFlip("random_flip"); f.Mode = configs.FlipVertical; return f },
		"random_flip":                   func() Layer { return NewRandomFlip("random_flip") },
		"random_translation":            func() Layer { return NewRandomTranslation("random_translation", 0.5, 0.5) },
		"random_translation_wrap_nearest": func() Layer {
			t := NewRandomTranslation("random_translation", 0.5, 0.5)
			t.FillMode, t.Interpolation = configs.FillWrap, configs.InterpolationNearest
			return t
		},
		"random_translation_constant": func() Layer {
			t := NewRandomTranslation("random_translation", 0.5, 0.5)
			t.FillMode, t.FillValue = configs.FillConstant, 0.5
			return t
		},
		"random_translation_nearest": func() Layer {
			t := NewRandomTranslation("random_translation", 0.5, 0.5)
			t.FillMode = configs.FillNearest
			return t
		},
		"random_rotation": func() Layer { return NewRandomRotation("random_rotation", 0.5) },
		"random_rotation_constant_nearest": func() Layer {
			r := NewRandomRotation("random_rotation", 0.5)
			r.FillMode, r.Interpolation = configs.FillConstant, configs.InterpolationNearest
			return r
		},
		"random_zoom":      zoom(0.5, &half, configs.FillReflect),
		"random_zoom_wrap": zoom(0.5, nil, configs.FillWrap),
		"random_contrast": func() Layer {
			r := NewRandomContrast("random_contrast", 0.5)
			r.ValueRange = [2]int{0, 1}
			return r
		},
		"random_crop":   func() Layer { return NewRandomCrop("random_crop", 3, 4) },
		"normalization": func() Layer { return NewNormalization("normalization") },
	}
}

// Each preprocessing layer computes Keras's output (float32, within kerasGoldenTol): the
// deterministic layers and every random layer in inference as Keras runs them, and each
// random layer's training transformation for the draws Keras's was made from.
func TestKerasPreprocessingGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_preprocessing.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g preprocessingGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("testdata/keras_preprocessing.json: %v", err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden file from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	layers := preprocessingLayers()
	if len(layers) != len(g.Cases) {
		t.Errorf("%d tfrun layers for %d golden cases", len(layers), len(g.Cases))
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			make, ok := layers[c.Name]
			if !ok {
				t.Fatalf("no tfrun layer for golden case %q", c.Name)
			}
			if n, ok := make().(*Normalization); ok {
				checkAdapted(t, n, c.kerasCase)
				return
			}
			if c.Draws == nil {
				got, worst := runKerasCase(t, make(), c.kerasCase)
				if got != nil {
					t.Logf("max |tfrun − Keras| = %.2g over %d values", worst, len(got))
				}
				return
			}
			l, ok := make().(drawn)
			if !ok {
				t.Fatalf("%s has no apply", make().Type())
			}
			got := applyDraws(t, l, shapeOf(c.InputShape[1:]), c.Input, c.Draws)
			if len(got) != len(c.Output) {
				t.Fatalf("%d values, Keras %d", len(got), len(c.Output))
			}
			worst := 0.0
			for i, want := range c.Output {
				d := math.Abs(got[i] - want)
				worst = math.Max(worst, d)
				if d > kerasGoldenTol {
					t.Fatalf("output[%d] = %.8g, Keras %.8g (|diff| %.2g > %g)", i, got[i], want, d, kerasGoldenTol)
				}
			}
			t.Logf("max |tfrun − Keras| = %.2g over %d values", worst, len(got))
		})
	}
}

// applyDraws builds l for images of shape in and applies its training transformation for
// draws (one row per image) to the images x.
func applyDraws(t *testing.T, l drawn, in Shape, x []float64, draws [][]float64) []float64 {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	if _, err := l.Build(g.Root(), in); err != nil {
		t.Fatal(err)
	}
	xp := g.Root().Placeholder("x", tf.Float, append([]int64{-1}, in.Int64s()...)...)
	dp := g.Root().Placeholder("draws", tf.Float, -1, int64(len(draws[0])))
	y := op.Identity(g.Root().Op("Identity"), l.apply(xp, dp))
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	xt, err := graphs.NewTensor(float32s(x), append([]int64{int64(len(draws))}, in.Int64s()...)...)
	if err != nil {
		t.Fatal(err)
	}
	dt, err := graphs.NewTensor(float32s(slices.Concat(draws...)), int64(len(draws)), int64(len(draws[0])))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sess.Run(map[tf.Output]*tf.Tensor{xp: xt, dp: dt}, []tf.Output{y})
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Float64s(res[0])
}

// checkAdapted adapts n on the case's input, as Keras's layer.adapt(x) did, and compares
// the adapted mean and variance with Keras's weights (relative 1e-6) and the output on the
// same input with Keras's (within kerasGoldenTol).
func checkAdapted(t *testing.T, n *Normalization, c kerasCase) {
	t.Helper()
	in := shapeOf(c.InputShape[1:])
	g := graphs.NewGraph(tf.Float, 1)
	if _, err := n.Build(g.Root(), in); err != nil {
		t.Fatal(err)
	}
	xp := g.Root().Placeholder("x", tf.Float, append([]int64{-1}, in.Int64s()...)...)
	y := n.Call(xp, false)
	features := in[len(in)-1]
	sum, sq := make([]float64, features), make([]float64, features)
	for i, v := range float32s(c.Input) {
		sum[i%features] += float64(v)
		sq[i%features] += float64(v) * float64(v)
	}
	count := int64(len(c.Input) / features)
	vars, values, err := n.Adapt(count, sum, sq)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range c.Weights[:2] { // mean, variance; Keras 3 leaves count 0
		if want := kerasWeightName(w.Path); vars[i].Name != want {
			t.Errorf("variable %d: %q, Keras's %q", i, vars[i].Name, want)
		}
		for j, got := range graphs.Float64s(values[i]) {
			if d := math.Abs(got - w.Values[j]); d > 1e-6*math.Abs(w.Values[j]) {
				t.Errorf("%s[%d] = %.9g, Keras %.9g", w.Path, j, got, w.Values[j])
			}
		}
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Set(vars, values); err != nil {
		t.Fatal(err)
	}
	xt, err := graphs.NewTensor(float32s(c.Input), c.InputShape...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sess.Run(map[tf.Output]*tf.Tensor{xp: xt}, []tf.Output{y})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, got := range graphs.Float64s(res[0]) {
		worst = math.Max(worst, math.Abs(got-c.Output[i]))
	}
	if worst > kerasGoldenTol {
		t.Errorf("max |tfrun − Keras| = %.2g > %g", worst, kerasGoldenTol)
	}
	t.Logf("max |tfrun − Keras| = %.2g over %d values", worst, len(c.Output))
}

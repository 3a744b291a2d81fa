package builders

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// keras_attention.json, written by testdata/keras/make_attention_golden.py.
type attentionGolden struct {
	Keras, TensorFlow string
	KerasHub          string `json:"keras_hub"`
	Layers            []attentionLayerCase
	Models            []maskedModelCase
	MaskRules         map[string]struct {
		SupportsMasking bool `json:"supports_masking"`
		OwnComputeMask  bool `json:"own_compute_mask"`
	} `json:"mask_rules"`
}

type kerasWeight struct {
	Path   string    `json:"path"`
	Shape  []int64   `json:"shape"`
	Values []float64 `json:"values"`
}

type attentionLayerCase struct {
	Name        string        `json:"name"`
	Class       string        `json:"class"`
	InputShapes [][]int64     `json:"input_shapes"`
	Inputs      [][]float64   `json:"inputs"`
	OutputShape []int64       `json:"output_shape"`
	Output      []float64     `json:"output"`
	OutputMask  []float64     `json:"output_mask"`
	Weights     []kerasWeight `json:"weights"`
	// AttentionMask is Keras's attention_mask call argument, 0s and 1s, if given.
	AttentionMask      []float64 `json:"attention_mask"`
	AttentionMaskShape []int64   `json:"attention_mask_shape"`
}

type maskedModelCase struct {
	Name        string        `json:"name"`
	InputShape  []int64       `json:"input_shape"`
	Input       []float64     `json:"input"`
	InputDType  string        `json:"input_dtype"`
	Weights     []kerasWeight `json:"weights"`
	OutputShape []int64       `json:"output_shape"`
	Output      []float64     `json:"output"`
}

func loadAttentionGolden(t *testing.T) attentionGolden {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_attention.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g attentionGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("testdata/keras_attention.json: %v", err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	return g
}

// attentionGoldenLayers are tfrun's twins of the recorded layers (Keras's default names,
// numbered as Keras numbered them in the script), and whether each uses the causal mask.
func attentionGoldenLayers() map[string]func() Layer {
	return map[string]func() Layer{
		"mha_self":      func() Layer { return NewMultiHeadAttention("multi_head_attention", 2, 3) },
		"mha_cross_key": func() Layer { return NewMultiHeadAttention("multi_head_attention_1", 3, 2) },
		"mha_value_dim_output_shape_no_bias": func() Layer {
			m := NewMultiHeadAttention("multi_head_attention_2", 2, 3)
			m.ValueDim, m.OutputShape, m.UseBias = 4, 7, false
			return m
		},
		"mha_causal": func() Layer {
			m := NewMultiHeadAttention("multi_head_attention_3", 2, 2)
			m.UseCausalMask = true
			return m
		},
		"mha_attention_mask":      func() Layer { return NewMultiHeadAttention("multi_head_attention_4", 2, 2) },
		"attention":               func() Layer { return NewAttention("attention") },
		"attention_scale_key":     func() Layer { a := NewAttention("attention_1"); a.UseScale = true; return a },
		"attention_causal":        func() Layer { a := NewAttention("attention_2"); a.UseCausalMask = true; return a },
		"position_embedding":      func() Layer { return NewPositionEmbedding("position_embedding", 6) },
		"position_embedding_full": func() Layer { return NewPositionEmbedding("position_embedding", 4) },
		"masking":                 func() Layer { return NewMasking("masking", 0) },
	}
}

// Each attention layer, PositionEmbedding and Masking, given Keras's weights and inputs
// (and MultiHeadAttention's attention_mask argument), computes Keras 3.15.1's (keras_hub's)
// output in inference, within kerasGoldenTol, with Keras's weight names and layouts;
// Masking gives Keras's mask too.
func TestAttentionLayersKeras(t *testing.T) {
	g := loadAttentionGolden(t)
	twins := attentionGoldenLayers()
	for _, kc := range g.Layers {
		t.Run(kc.Name, func(t *testing.T) {
			mk, ok := twins[kc.Name]
			if !ok {
				t.Fatalf("no tfrun twin for %s", kc.Name)
			}
			delete(twins, kc.Name)
			l := mk()
			if l.Type() != kc.Class {
				t.Errorf("type %s, Keras %s", l.Type(), kc.Class)
			}
			gr := graphs.NewGraph(tf.Float, 1)
			s := gr.Root()
			var ins []Shape
			var xs []tf.Output
			feeds := map[tf.Output]*tf.Tensor{}
			for i, sh := range kc.InputShapes {
				ins = append(ins, shapeOf(sh[1:]))
				x := s.Placeholder(fmt.Sprintf("x%d", i), tf.Float, append([]int64{-1}, sh[1:]...)...)
				xs = append(xs, x)
				v, err := graphs.NewTensor(float32s(kc.Inputs[i]), sh...)
				if err != nil {
					t.Fatal(err)
				}
				feeds[x] = v
			}
			var out Shape
			var err error
			if ml, ok := l.(MergeLayer); ok {
				out, err = ml.BuildMerge(s, ins)
			} else {
				out, err = l.Build(s, ins[0])
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := shapeOf(kc.OutputShape[1:]); out.String() != want.String() {
				t.Errorf("output shape %v, Keras %v", out, want)
			}
			var y, mask tf.Output
			if kc.AttentionMask != nil { // Keras's attention_mask call argument
				m := make([]bool, len(kc.AttentionMask))
				for i, v := range kc.AttentionMask {
					m[i] = v != 0
				}
				dims := make([]int32, len(kc.AttentionMaskShape))
				for i, d := range kc.AttentionMaskShape {
					dims[i] = int32(d)
				}
				am := op.Reshape(s.Op("Reshape"), s.Const(m), s.Const(dims))
				y, mask = l.(*MultiHeadAttention).CallAttention(xs, nil, am, false)
			} else {
				y, mask = callMasked(s, l, xs, make([]tf.Output, len(xs)), false)
			}
			fetch := []tf.Output{y}
			if kc.OutputMask != nil {
				if mask.Op == nil {
					t.Fatal("no output mask; Keras's output has one")
				}
				fetch = append(fetch, op.Cast(s.Op("Cast"), mask, tf.Float))
			}
			sess := kerasSession(t, gr, l.Variables(), kc.Weights, "")
			defer sess.Close()
			res, err := sess.Run(feeds, fetch)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(res[0].Shape()) != fmt.Sprint(kc.OutputShape) {
				t.Fatalf("output tensor %v, Keras %v", res[0].Shape(), kc.OutputShape)
			}
			t.Logf("max |tfrun − Keras| = %.2g", compareKeras(t, graphs.Float64s(res[0]), kc.Output))
			if kc.OutputMask != nil {
				if got := graphs.Float64s(res[1]); fmt.Sprint(got) != fmt.Sprint(kc.OutputMask) {
					t.Errorf("mask %v, Keras %v", got, kc.OutputMask)
				}
			}
		})
	}
	for name := range twins {
		t.Errorf("no golden case %q in testdata/keras_attention.json", name)
	}
}

// kerasSession opens a session on g with vars set to Keras's weights, matched by name
// (Keras's path without the recurrent cell's scope, after prefix, the model's scope).
func kerasSession(t *testing.T, g *graphs.Graph, vars []*graphs.Variable, weights []kerasWeight, prefix string) *graphs.Session {
	t.Helper()
	if len(vars) != len(weights) {
		t.Fatalf("%d variables, Keras has %d weights", len(vars), len(weights))
	}
	byName := map[string]*graphs.Variable{}
	for _, v := range vars {
		byName[strings.TrimPrefix(v.Name, prefix)] = v
	}
	var set []*graphs.Variable
	var values []*tf.Tensor
	for _, w := range weights {
		v, ok := byName[kerasWeightName(w.Path)]
		if !ok {
			t.Fatalf("Keras's weight %q (%q here) is no variable of tfrun's (%v)", w.Path, kerasWeightName(w.Path), keys(byName))
		}
		if fmt.Sprint(v.Shape) != fmt.Sprint(w.Shape) {
			t.Fatalf("variable %q: shape %v, Keras %v", v.Name, v.Shape, w.Shape)
		}
		x, err := graphs.NewTensor(float32s(w.Values), w.Shape...)
		if err != nil {
			t.Fatal(err)
		}
		set, values = append(set, v), append(values, x)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(set) > 0 {
		if err := sess.Set(set, values); err != nil {
			sess.Close()
			t.Fatal(err)
		}
	}
	return sess
}

func keys(m map[string]*graphs.Variable) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// compareKeras reports the first value off by more than kerasGoldenTol and returns the
// largest difference.
func compareKeras(t *testing.T, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, Keras %d", len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		d := math.Abs(got[i] - want[i])
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		if d > kerasGoldenTol && worst <= kerasGoldenTol {
			t.Errorf("output[%d] = %.8g, Keras %.8g (|diff| %.2g > %g)", i, got[i], want[i], d, kerasGoldenTol)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// runMaskedModel builds m (its Embedding's MaskZero set to maskZero) with the case's
// weights and runs it in inference on the case's input.
func runMaskedModel(t *testing.T, m *Functional, mc maskedModelCase, maskZero bool) *tf.Tensor {
	t.Helper()
	gr := graphs.NewGraph(tf.Float, 1)
	s := gr.Root()
	dims := append([]int64{-1}, mc.InputShape[1:]...)
	var x tf.Output
	var xt *tf.Tensor
	var err error
	if mc.InputDType == "int32" {
		x = s.Placeholder("ids", tf.Int32, dims...)
		ids := make([]int32, len(mc.Input))
		for i, v := range mc.Input {
			ids[i] = int32(v)
		}
		xt, err = graphs.NewTensor(ids, mc.InputShape...)
	} else {
		x = s.Placeholder("x", tf.Float, dims...)
		xt, err = graphs.NewTensor(float32s(mc.Input), mc.InputShape...)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range m.Nodes {
		if e, ok := n.Layer.(*Embedding); ok {
			e.MaskZero = maskZero
		}
	}
	if err := m.Build(s, shapeOf(mc.InputShape[1:])); err != nil {
		t.Fatal(err)
	}
	y, _ := m.Call(x, false)
	if !s.Ok(y) {
		t.Fatal(s.Err())
	}
	sess := kerasSession(t, gr, m.Variables(), mc.Weights, "functional/")
	defer sess.Close()
	res, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{y})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

// maskedTwins are tfrun's functional twins of the recorded masked models.
func maskedTwins() map[string]func() *Functional {
	chain := func(layers ...Layer) *Functional {
		var nodes []Node
		prev := "ids"
		for _, l := range layers {
			nodes = append(nodes, Node{Tensor: l.Name(), Layer: l, Call: []string{prev}})
			prev = l.Name()
		}
		return NewFunctional("functional", []string{"ids"}, []string{prev}, nodes...)
	}
	emb := func(dim int) *Embedding { e := NewEmbedding("embedding", 10, dim); e.MaskZero = true; return e }
	lstm := func(units int, seq bool) *LSTM { l := NewLSTM("lstm", units); l.ReturnSequences = seq; return l }
	return map[string]func() *Functional{
		"embedding_lstm":           func() *Functional { return chain(emb(3), lstm(4, false)) },
		"embedding_lstm_sequences": func() *Functional { return chain(emb(3), lstm(4, true)) },
		"embedding_gru":            func() *Functional { return chain(emb(3), NewGRU("gru", 4)) },
		"embedding_gru_sequences_backwards": func() *Functional {
			g := NewGRU("gru", 3)
			g.ReturnSequences, g.GoBackwards = true, true
			return chain(emb(3), g)
		},
		"embedding_simple_rnn": func() *Functional { return chain(emb(3), NewSimpleRNN("simple_rnn", 4)) },
		"embedding_bidirectional_lstm": func() *Functional {
			return chain(emb(3), NewBidirectional("bidirectional", lstm(3, false)))
		},
		"embedding_bidirectional_lstm_sequences": func() *Functional {
			return chain(emb(3), NewBidirectional("bidirectional", lstm(3, true)))
		},
		"embedding_mha_gap": func() *Functional {
			e, m := emb(4), NewMultiHeadAttention("multi_head_attention", 2, 3)
			return NewFunctional("functional", []string{"ids"}, []string{"pool"},
				Node{Tensor: "h", Layer: e, Call: []string{"ids"}},
				Node{Tensor: "a", Layer: m, Call: []string{"h", "h"}},
				Node{Tensor: "r", Layer: NewAdd("add"), Call: []string{"h", "a"}},
				Node{Tensor: "n", Layer: NewLayerNormalization("layer_normalization"), Call: []string{"r"}},
				Node{Tensor: "pool", Layer: NewGlobalAveragePooling1D("global_average_pooling1d"), Call: []string{"n"}})
		},
		"embedding_attention_gap": func() *Functional {
			return NewFunctional("functional", []string{"ids"}, []string{"pool"},
				Node{Tensor: "h", Layer: emb(4), Call: []string{"ids"}},
				Node{Tensor: "a", Layer: NewAttention("attention"), Call: []string{"h", "h"}},
				Node{Tensor: "pool", Layer: NewGlobalAveragePooling1D("global_average_pooling1d"), Call: []string{"a"}})
		},
		"masking_lstm": func() *Functional { return chain(NewMasking("masking", 0), lstm(4, false)) },
		"embedding_concatenate_features_lstm": func() *Functional {
			c := NewConcatenate("concatenate")
			return NewFunctional("functional", []string{"ids"}, []string{"lstm"},
				Node{Tensor: "h", Layer: emb(3), Call: []string{"ids"}},
				Node{Tensor: "d", Layer: NewDense("dense", 2, ""), Call: []string{"h"}},
				Node{Tensor: "c", Layer: c, Call: []string{"h", "d"}},
				Node{Tensor: "lstm", Layer: lstm(4, false), Call: []string{"c"}})
		},
		"embedding_concatenate_steps_gru": func() *Functional {
			c := NewConcatenate("concatenate")
			c.Axis = 1
			return NewFunctional("functional", []string{"ids"}, []string{"gru"},
				Node{Tensor: "h", Layer: emb(3), Call: []string{"ids"}},
				Node{Tensor: "d", Layer: NewDense("dense", 3, "tanh"), Call: []string{"h"}},
				Node{Tensor: "c", Layer: c, Call: []string{"h", "d"}},
				Node{Tensor: "gru", Layer: NewGRU("gru", 4), Call: []string{"c"}})
		},
	}
}

// Models whose first layer makes a mask (Embedding(mask_zero=True), Masking), on padded
// inputs (pre-padded, post-padded, one token), compute Keras's outputs: the recurrent
// layers carry their state over the padding and output the last real step (zeros at a
// Bidirectional's padded steps), attention ignores padded keys, GlobalAveragePooling1D
// averages the real steps. Without mask_zero the same models give other outputs.
func TestMaskedModelsKeras(t *testing.T) {
	g := loadAttentionGolden(t)
	twins := maskedTwins()
	for _, mc := range g.Models {
		t.Run(mc.Name, func(t *testing.T) {
			mk, ok := twins[mc.Name]
			if !ok {
				t.Fatalf("no tfrun twin for %s", mc.Name)
			}
			delete(twins, mc.Name)
			got := runMaskedModel(t, mk(), mc, true)
			if fmt.Sprint(got.Shape()) != fmt.Sprint(mc.OutputShape) {
				t.Fatalf("output %v, Keras %v", got.Shape(), mc.OutputShape)
			}
			t.Logf("max |tfrun − Keras| = %.2g", compareKeras(t, graphs.Float64s(got), mc.Output))
			if mc.InputDType != "int32" {
				return
			}
			// The same model without mask_zero gives other outputs: the mask is at work.
			plain := graphs.Float64s(runMaskedModel(t, mk(), mc, false))
			diff := 0.0
			for i, v := range plain {
				diff = math.Max(diff, math.Abs(v-mc.Output[i]))
			}
			if diff < 1e-3 {
				t.Errorf("without mask_zero the output differs from Keras's masked one by %.2g only", diff)
			}
		})
	}
	for name := range twins {
		t.Errorf("no golden case %q in testdata/keras_attention.json", name)
	}
}

// configs' mask table (configs.MaskRule) agrees with Keras's classes, for every layer
// type tfrun registers that the script could make: a class without supports_masking or
// its own compute_mask drops masks, one with supports_masking and Layer's compute_mask
// passes them on (a merge layer's own compute_mask, the OR of its inputs' masks or none, too), one
// with its own compute_mask makes, consumes or uses them. Dot's own compute_mask returns
// None (drops).
func TestMaskRulesKeras(t *testing.T) {
	g := loadAttentionGolden(t)
	exceptions := map[string]string{"Dot": configs.MaskDrops}
	for _, typ := range ConfigTypes() {
		k, ok := g.MaskRules[typ]
		if !ok {
			if typ == "TokenAndPositionEmbedding" { // keras_hub's: token_and_position_embedding_test.go
				continue
			}
			if typ != "PositionEmbedding" { // keras_hub's; it does not support masking
				t.Errorf("%s: no Keras class recorded (run testdata/keras/make_attention_golden.py)", typ)
			}
			if got := configs.MaskRule(typ); typ == "PositionEmbedding" && got != configs.MaskDrops {
				t.Errorf("PositionEmbedding: %s, keras_hub's drops masks", got)
			}
			continue
		}
		got := configs.MaskRule(typ)
		spec, _ := configs.LookupLayer(typ)
		if want, ok := exceptions[typ]; ok {
			if got != want {
				t.Errorf("%s: %s, want %s", typ, got, want)
			}
			continue
		}
		switch {
		case k.OwnComputeMask && spec.Merge && got == configs.MaskPasses: // Merge.compute_mask: the OR, or none
		case k.OwnComputeMask:
			if got == configs.MaskDrops || got == configs.MaskPasses {
				t.Errorf("%s: %s, but Keras's class has its own compute_mask", typ, got)
			}
		case k.SupportsMasking:
			if got != configs.MaskPasses && got != configs.MaskUses {
				t.Errorf("%s: %s, but Keras's class passes masks on", typ, got)
			}
		default:
			if got != configs.MaskDrops {
				t.Errorf("%s: %s, but Keras's class drops masks", typ, got)
			}
		}
		if got == configs.MaskMakes || got == configs.MaskConsumes || got == configs.MaskUses {
			if _, ok := mustLayer(t, typ).(MaskedLayer); !ok {
				t.Errorf("%s: %s masks, but its layer is no MaskedLayer", typ, got)
			}
		}
	}
}

// mustLayer makes a layer of type typ with its config's defaults and example values.
func mustLayer(t *testing.T, typ string) Layer {
	t.Helper()
	c, err := configs.NewLayer(typ)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := configs.LookupLayer(typ)
	var wrapped Layer
	for _, a := range spec.Args {
		if a.Required {
			switch a.Kind {
			case configs.KindInt:
				_ = c.Set(a.Key, 2)
			case configs.KindLayer:
				inner, _ := configs.NewLayer(a.Layers[0])
				_ = inner.Set("units", 2)
				_ = c.Set(a.Key, inner)
				wrapped, err = FromConfig(&inner, "inner", nil)
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	l, err := FromConfig(&c, "layer", wrapped)
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	return l
}

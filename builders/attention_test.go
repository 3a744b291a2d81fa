package builders

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// stepMask is a constant mask [2, steps]: the first example pre-padded by one step, the
// second post-padded by one.
func stepMask(s *graphs.Scope, steps int) tf.Output {
	m := [][]bool{make([]bool, steps), make([]bool, steps)}
	for i := range steps {
		m[0][i] = i > 0
		m[1][i] = i < steps-1
	}
	return s.Const(m)
}

// The attention layers, PositionEmbedding's table, Masking, the masked recurrent layers and
// masked GlobalAveragePooling1D have the gradients central finite differences give
// (float64), masks and the causal mask applied.
func TestAttentionAndMaskGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 23))
	p := func(name string, shape ...int64) gradcheck.Param { return gradcheck.Random(name, rng, 1, shape...) }
	merge := func(l MergeLayer, ins []Shape, masked bool) func(s *graphs.Scope, in []tf.Output) tf.Output {
		return func(s *graphs.Scope, in []tf.Output) tf.Output {
			out, err := l.BuildMerge(s, ins)
			if err != nil {
				s.Fail("%v", err)
				return tf.Output{}
			}
			masks := make([]tf.Output, len(in))
			if masked {
				masks[0], masks[1] = stepMask(s, ins[0][0]), stepMask(s, ins[1][0])
			}
			y, _ := callMasked(s, l, in, masks, true)
			return gradcheck.Project(s, y, append([]int64{2}, out.Int64s()...), 5)
		}
	}
	single := func(l Layer, in Shape, masked bool) func(s *graphs.Scope, x []tf.Output) tf.Output {
		return func(s *graphs.Scope, x []tf.Output) tf.Output {
			out, err := l.Build(s, in)
			if err != nil {
				s.Fail("%v", err)
				return tf.Output{}
			}
			var mask tf.Output
			if masked {
				mask = stepMask(s, in[0])
			}
			y, _ := callMasked(s, l, x[:1], []tf.Output{mask}, false)
			return gradcheck.Project(s, y, append([]int64{2}, out.Int64s()...), 5)
		}
	}
	causal := func() MergeLayer { m := NewMultiHeadAttention("mha", 2, 2); m.UseCausalMask = true; return m }
	scaled := func() MergeLayer { a := NewAttention("attention"); a.UseScale, a.UseCausalMask = true, true; return a }
	lstm := func(seq bool) Layer { l := NewLSTM("lstm", 3); l.ReturnSequences = seq; return l }
	gruBack := func() Layer { g := NewGRU("gru", 3); g.GoBackwards, g.ReturnSequences = true, true; return g }
	cases := []struct {
		name   string
		params []gradcheck.Param
		build  func(s *graphs.Scope, in []tf.Output) tf.Output
	}{
		{"mha_self_masked", []gradcheck.Param{p("q", 2, 4, 3), p("v", 2, 4, 3)},
			merge(NewMultiHeadAttention("mha", 2, 2), []Shape{{4, 3}, {4, 3}}, true)},
		{"mha_causal_masked", []gradcheck.Param{p("q", 2, 4, 3), p("v", 2, 4, 3)}, merge(causal(), []Shape{{4, 3}, {4, 3}}, true)},
		{"mha_cross_key", []gradcheck.Param{p("q", 2, 3, 4), p("v", 2, 5, 3), p("k", 2, 5, 2)},
			merge(NewMultiHeadAttention("mha", 3, 2), []Shape{{3, 4}, {5, 3}, {5, 2}}, false)},
		{"attention_masked", []gradcheck.Param{p("q", 2, 3, 4), p("v", 2, 3, 4)}, merge(NewAttention("attention"), []Shape{{3, 4}, {3, 4}}, true)},
		{"attention_scale_causal_key", []gradcheck.Param{p("q", 2, 4, 3), p("v", 2, 4, 2), p("k", 2, 4, 3)},
			merge(scaled(), []Shape{{4, 3}, {4, 2}, {4, 3}}, false)},
		{"position_embedding_table", []gradcheck.Param{p("table", 6, 3), p("x", 2, 4, 3)},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				y := op.AddV2(s.Op("AddV2"), positionEmbeddingOp(s, in[0], in[1], 4, 6), in[1])
				return gradcheck.Project(s, y, []int64{2, 4, 3}, 5)
			}},
		{"masking", []gradcheck.Param{p("x", 2, 4, 3)}, single(NewMasking("masking", 0.25), Shape{4, 3}, false)},
		{"global_average_pooling1d_masked", []gradcheck.Param{p("x", 2, 5, 3)},
			single(NewGlobalAveragePooling1D("gap"), Shape{5, 3}, true)},
		{"lstm_masked", []gradcheck.Param{p("x", 2, 5, 2)}, single(lstm(false), Shape{5, 2}, true)},
		{"lstm_masked_sequences", []gradcheck.Param{p("x", 2, 5, 2)}, single(lstm(true), Shape{5, 2}, true)},
		{"lstm_masked_weights", []gradcheck.Param{p("x", 2, 4, 2), p("k", 2, 12), p("r", 3, 12), p("b", 12)},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				y := lstmMaskedOp(s, in[0], in[1], in[2], in[3], stepMask(s, 4), Shape{4, 2}, 3, true, true)
				return gradcheck.Project(s, y, []int64{2, 4, 3}, 5)
			}},
		{"gru_masked_backwards", []gradcheck.Param{p("x", 2, 5, 2)}, single(gruBack(), Shape{5, 2}, true)},
		{"simple_rnn_masked", []gradcheck.Param{p("x", 2, 5, 2)}, single(NewSimpleRNN("simple_rnn", 3), Shape{5, 2}, true)},
		{"bidirectional_lstm_masked_sequences", []gradcheck.Param{p("x", 2, 5, 2)},
			single(NewBidirectional("bidirectional", lstm(true)), Shape{5, 2}, true)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := gradcheck.Check(tc.params, tc.build, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative difference %.2g", worst)
		})
	}
}

// Padding gets no gradient: in a masked Transformer block (Embedding(mask_zero) →
// MultiHeadAttention → Add → LayerNormalization → GlobalAveragePooling1D → Dense) and a
// masked LSTM, the embedding row of id 0, used only at the masked (padded) steps, gets a
// gradient of exactly 0 while the rows of the real tokens do not; without mask_zero the
// padding row does get one. With a PositionEmbedding added to the token embeddings the
// Add's output has no mask (Keras 3's Merge.compute_mask: an input without a mask drops
// it), so the padding row gets a gradient even with mask_zero, as in Keras 3.15.1.
func TestMaskedPositionsGetZeroGradient(t *testing.T) {
	ids := [][]int32{{0, 0, 3, 5, 2, 7}, {4, 1, 6, 0, 0, 0}, {0, 0, 0, 0, 0, 8}}
	block := func(e *Embedding, pre ...Node) Model {
		h := "tok"
		if len(pre) > 0 {
			h = "h"
		}
		nodes := append([]Node{{Tensor: "tok", Layer: e, Call: []string{"ids"}}}, pre...)
		nodes = append(nodes,
			Node{Tensor: "a", Layer: NewMultiHeadAttention("multi_head_attention", 2, 3), Call: []string{h, h}},
			Node{Tensor: "r", Layer: NewAdd("add_1"), Call: []string{h, "a"}},
			Node{Tensor: "n", Layer: NewLayerNormalization("layer_normalization"), Call: []string{"r"}},
			Node{Tensor: "pool", Layer: NewGlobalAveragePooling1D("global_average_pooling1d"), Call: []string{"n"}},
			Node{Tensor: "head", Layer: NewDense("dense", 1, "sigmoid"), Call: []string{"pool"}})
		return NewFunctional("functional", []string{"ids"}, []string{"head"}, nodes...)
	}
	transformer := func(maskZero bool) Model {
		e := NewEmbedding("embedding", 10, 4)
		e.MaskZero = maskZero
		return block(e)
	}
	positions := func(maskZero bool) Model {
		e := NewEmbedding("embedding", 10, 4)
		e.MaskZero = maskZero
		return block(e,
			Node{Tensor: "pos", Layer: NewPositionEmbedding("position_embedding", 6), Call: []string{"tok"}},
			Node{Tensor: "h", Layer: NewAdd("add"), Call: []string{"tok", "pos"}})
	}
	recurrent := func(maskZero bool) Model {
		e := NewEmbedding("embedding", 10, 4)
		e.MaskZero = maskZero
		return NewSequential("sequential", e, NewLSTM("lstm", 3), NewDense("dense", 1, "sigmoid"))
	}
	for _, tc := range []struct {
		name     string
		model    func(bool) Model
		unmasked bool // the model drops the mask before its pooling
	}{{"transformer", transformer, false}, {"lstm", recurrent, false}, {"transformer with PositionEmbedding", positions, true}} {
		for _, maskZero := range []bool{true, false} {
			g := graphs.NewGraph(tf.Float, 3)
			s := g.Root()
			m := tc.model(maskZero)
			if err := m.Build(s, Shape{6}); err != nil {
				t.Fatal(err)
			}
			x := s.Const(ids)
			y, _ := m.Call(x, true)
			loss := op.Sum(s.Op("Sum"), y, s.Const([]int32{0, 1}))
			table := m.Variables()[0]
			grads, err := s.Gradients(loss, []tf.Output{table.Value()})
			if err != nil {
				t.Fatal(err)
			}
			sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			if err := sess.InitVariables(); err != nil {
				t.Fatal(err)
			}
			res, err := sess.Run(nil, grads)
			sess.Close()
			if err != nil {
				t.Fatal(err)
			}
			d := graphs.Float64s(res[0]) // [10, 4]
			rowNorm := func(r int) float64 {
				n := 0.0
				for _, v := range d[4*r : 4*r+4] {
					n += math.Abs(v)
				}
				return n
			}
			switch {
			case maskZero && !tc.unmasked && rowNorm(0) != 0:
				t.Errorf("%s, mask_zero: the padding row's gradient is %v, want exactly 0", tc.name, d[:4])
			case maskZero && tc.unmasked && rowNorm(0) == 0:
				t.Errorf("%s, mask_zero: the padding row's gradient is 0; Keras 3's Add drops the mask here", tc.name)
			case !maskZero && rowNorm(0) == 0:
				t.Errorf("%s, no mask: the padding row's gradient is 0; the test would not see a mask's effect", tc.name)
			}
			for _, r := range []int{1, 3, 8} { // real tokens, each in one sequence
				if rowNorm(r) == 0 {
					t.Errorf("%s (mask_zero %v): row %d, a real token's, has no gradient", tc.name, maskZero, r)
				}
			}
		}
	}
}

// attentionMixedCases are the mixed_bfloat16 cases of the attention and masking layers
// (precision_test.go): MultiHeadAttention computes its scores and softmax in float32
// and the rest in bfloat16, as Keras's dot_product_attention.
func attentionMixedCases() []mixedCase {
	mhaDropout := func() Layer {
		m := NewMultiHeadAttention("multi_head_attention", 2, 4)
		m.Dropout = 0.2
		return selfMerged(m)()
	}
	return []mixedCase{
		{"MultiHeadAttention", func() Layer { return selfMerged(NewMultiHeadAttention("multi_head_attention", 2, 4))() }, Shape{5, 6}, 0, false},
		{"MultiHeadAttention_dropout", mhaDropout, Shape{5, 6}, 0, true},
		{"Attention", func() Layer { a := NewAttention("attention"); a.UseScale = true; return selfMerged(a)() }, Shape{5, 6}, 0, true},
		{"PositionEmbedding", func() Layer { return &plusInput{NewPositionEmbedding("position_embedding", 8)} }, Shape{5, 6}, 0, true},
		{"Masking", func() Layer { return NewMasking("masking", 0) }, Shape{5, 6}, 0, true},
	}
}

// plusInput is a layer whose output is its input plus the wrapped layer's output (the
// mixed-precision cases differentiate for the input, which a PositionEmbedding uses only
// for its shape).
type plusInput struct{ Layer }

func (p *plusInput) Call(x tf.Output, training bool) tf.Output {
	l := p.Layer.(*PositionEmbedding)
	return op.AddV2(l.scope.Op("AddV2"), x, p.Layer.Call(x, training))
}

func (p *plusInput) computeDType() tf.DataType {
	return p.Layer.(interface{ computeDType() tf.DataType }).computeDType()
}

// The attention and masking layers refuse what they cannot take, naming the layer and
// what would be valid.
func TestAttentionBuildErrors(t *testing.T) {
	causal := NewMultiHeadAttention("multi_head_attention", 2, 2)
	causal.UseCausalMask = true
	dropout := NewMultiHeadAttention("multi_head_attention", 2, 2)
	dropout.Dropout = 1
	cases := []struct {
		name  string
		build func(s *graphs.Scope) error
		want  string
	}{
		{"mha one input", func(s *graphs.Scope) error {
			_, err := NewMultiHeadAttention("multi_head_attention", 2, 2).BuildMerge(s, []Shape{{4, 3}})
			return err
		}, "called on 1 tensors, takes 2 to 3"},
		{"mha flat input", func(s *graphs.Scope) error {
			_, err := NewMultiHeadAttention("multi_head_attention", 2, 2).BuildMerge(s, []Shape{{4, 3}, {3}})
			return err
		}, "(None, steps, features) for input 1"},
		{"mha key steps", func(s *graphs.Scope) error {
			_, err := NewMultiHeadAttention("multi_head_attention", 2, 2).BuildMerge(s, []Shape{{4, 3}, {5, 3}, {6, 3}})
			return err
		}, "different numbers of steps"},
		{"mha causal lengths", func(s *graphs.Scope) error { _, err := causal.BuildMerge(s, []Shape{{4, 3}, {5, 3}}); return err },
			"use_causal_mask with query"},
		{"mha no heads", func(s *graphs.Scope) error {
			_, err := NewMultiHeadAttention("multi_head_attention", 0, 2).BuildMerge(s, []Shape{{4, 3}, {4, 3}})
			return err
		}, "num_heads"},
		{"mha dropout", func(s *graphs.Scope) error { _, err := dropout.BuildMerge(s, []Shape{{4, 3}, {4, 3}}); return err },
			"a rate in [0, 1)"},
		{"attention features", func(s *graphs.Scope) error {
			_, err := NewAttention("attention").BuildMerge(s, []Shape{{4, 3}, {5, 2}})
			return err
		}, "different feature sizes"},
		{"attention key steps", func(s *graphs.Scope) error {
			_, err := NewAttention("attention").BuildMerge(s, []Shape{{4, 3}, {5, 2}, {6, 3}})
			return err
		}, "different numbers of steps"},
		{"position embedding too long", func(s *graphs.Scope) error {
			_, err := NewPositionEmbedding("position_embedding", 3).Build(s, Shape{4, 2})
			return err
		}, "at most sequence_length = 3 positions"},
		{"position embedding flat", func(s *graphs.Scope) error {
			_, err := NewPositionEmbedding("position_embedding", 3).Build(s, Shape{4})
			return err
		}, "(None, length, features)"},
		{"position embedding initializer", func(s *graphs.Scope) error {
			p := NewPositionEmbedding("position_embedding", 3)
			p.Initializer = "lecun"
			_, err := p.Build(s, Shape{2, 2})
			return err
		}, "initializer"},
		{"masking flat", func(s *graphs.Scope) error { _, err := NewMasking("masking", 0).Build(s, Shape{4}); return err },
			"(None, steps, features)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			err := tc.build(g.Root())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// A layer built for two inputs, called on three, fails the scope rather than panicking.
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	m := NewMultiHeadAttention("multi_head_attention", 2, 2)
	if _, err := m.BuildMerge(s, []Shape{{4, 3}, {4, 3}}); err != nil {
		t.Fatal(err)
	}
	x := s.Placeholder("x", tf.Float, -1, 4, 3)
	m.CallMerge([]tf.Output{x, x, x}, false)
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "built for 2 inputs, called on 3") {
		t.Errorf("scope error %v, want one about the inputs", err)
	}
}

package builders

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Masked steps get no gradient: behind Embedding(mask_zero=True), the gradient of a loss
// with respect to the embedding's output is exactly 0 at every padded step (id 0, at the
// front, at the back and in the middle of a sequence) for the layers that consume the
// mask: LSTM and GRU (through a Dropout that passes the mask on, as in imdb_tuned),
// SimpleRNN, a Bidirectional LSTM, GlobalAveragePooling1D, and MultiHeadAttention
// followed by GlobalAveragePooling1D (masked keys, then masked queries). Without
// mask_zero the same steps do get a gradient, and the real tokens' steps get one either
// way, so the test sees the mask's effect.
func TestMaskedStepsGetZeroGradientAtEmbeddingOutput(t *testing.T) {
	ids := [][]int32{{0, 0, 3, 5, 2, 7}, {4, 1, 6, 0, 0, 0}, {9, 0, 0, 2, 0, 8}}
	const steps, dim = 6, 4
	dropoutLSTM := func() []Layer { return []Layer{NewDropout("dropout", 0.3), NewLSTM("lstm", 3)} }
	dropoutGRU := func() []Layer { return []Layer{NewDropout("dropout", 0.3), NewGRU("gru", 3)} }
	for _, tc := range []struct {
		name   string
		layers func() []Layer // called in turn on the embedding's output and its mask
	}{
		{"lstm", dropoutLSTM},
		{"gru", dropoutGRU},
		{"gru_reset_before", func() []Layer { g := NewGRU("gru", 3); g.ResetAfter = false; return []Layer{g} }},
		{"simple_rnn", func() []Layer { return []Layer{NewSimpleRNN("simple_rnn", 3)} }},
		{"bidirectional_lstm", func() []Layer { return []Layer{NewBidirectional("bidirectional", NewLSTM("lstm", 3))} }},
		{"global_average_pooling1d", func() []Layer { return []Layer{NewGlobalAveragePooling1D("global_average_pooling1d")} }},
		{"multi_head_attention", func() []Layer {
			return []Layer{NewMultiHeadAttention("multi_head_attention", 2, 3), NewGlobalAveragePooling1D("global_average_pooling1d")}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, maskZero := range []bool{true, false} {
				d := embeddingOutputGradient(t, ids, steps, dim, maskZero, tc.layers())
				for b, row := range ids {
					for i, id := range row {
						n := 0.0
						for _, v := range d[(b*steps+i)*dim : (b*steps+i+1)*dim] {
							n += max(v, -v)
						}
						switch {
						case id == 0 && maskZero && n != 0:
							t.Errorf("mask_zero: padded step %d of sequence %d has gradient %v, want exactly 0", i, b, d[(b*steps+i)*dim:(b*steps+i+1)*dim])
						case id == 0 && !maskZero && n == 0:
							t.Errorf("no mask: padded step %d of sequence %d has no gradient; the test would not see a mask's effect", i, b)
						case id != 0 && n == 0:
							t.Errorf("mask_zero %v: step %d of sequence %d, a real token's, has no gradient", maskZero, i, b)
						}
					}
				}
			}
		})
	}
}

// embeddingOutputGradient builds Embedding(10, dim, mask_zero) on ids, calls layers in turn
// on its output with the masks propagated as a model does (callMasked), and returns the
// gradient of the sum of the last output with respect to the embedding's output,
// [batch, steps, dim] flattened, in training mode (float32).
func embeddingOutputGradient(t *testing.T, ids [][]int32, steps, dim int, maskZero bool, layers []Layer) []float64 {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 5)
	s := g.Root()
	e := NewEmbedding("embedding", 10, dim)
	e.MaskZero = maskZero
	shape, err := e.Build(s, Shape{steps})
	if err != nil {
		t.Fatal(err)
	}
	emb, mask := e.CallMasked([]tf.Output{s.Const(ids)}, nil, true)
	x := emb
	for _, l := range layers {
		if m, ok := l.(MergeLayer); ok {
			if shape, err = m.BuildMerge(s, []Shape{shape, shape}); err != nil {
				t.Fatal(err)
			}
			x, mask = callMasked(s, l, []tf.Output{x, x}, []tf.Output{mask, mask}, true)
			continue
		}
		if shape, err = l.Build(s, shape); err != nil {
			t.Fatal(err)
		}
		x, mask = callMasked(s, l, []tf.Output{x}, []tf.Output{mask}, true)
	}
	axes := make([]int32, len(shape)+1)
	for i := range axes {
		axes[i] = int32(i)
	}
	loss := op.Sum(s.Op("Sum"), x, s.Const(axes))
	grads, err := s.Gradients(loss, []tf.Output{emb})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	res, err := sess.Run(nil, grads)
	if err != nil {
		t.Fatal(err)
	}
	d := graphs.Float64s(res[0])
	if len(d) != len(ids)*steps*dim {
		t.Fatalf("gradient has %d values, want %d", len(d), len(ids)*steps*dim)
	}
	return d
}

package builders

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Output shapes and parameter counts against Keras's formulas, for the assignment's
// IMDB models and a few edge cases.
func TestShapesAndParams(t *testing.T) {
	cases := []struct {
		name   string
		layer  Layer
		in     Shape
		out    Shape
		params int // Keras's formula, written out
	}{
		{"embedding", NewEmbedding("e", 20000, 32), Shape{80}, Shape{80, 32}, 20000 * 32},
		{"lstm_32", NewLSTM("l", 32), Shape{80, 32}, Shape{32}, 4 * (32*(32+32) + 32)},
		{"lstm_70", NewLSTM("l", 70), Shape{24, 64}, Shape{70}, 4 * (70*(64+70) + 70)},
		{"lstm_sequences", func() Layer { l := NewLSTM("l", 8); l.ReturnSequences = true; return l }(), Shape{5, 3}, Shape{5, 8}, 4 * (8*(3+8) + 8)},
		{"dense", NewDense("d", 1, "sigmoid"), Shape{32}, Shape{1}, 32*1 + 1},
		{"dense_rank3", NewDense("d", 49, ""), Shape{1, 50}, Shape{1, 49}, 50*49 + 49},
		{"dense_no_bias", func() Layer { d := NewDense("d", 10, ""); d.UseBias = false; return d }(), Shape{4}, Shape{10}, 40},
		{"dropout", NewDropout("d", 0.4), Shape{80, 32}, Shape{80, 32}, 0},
		{"conv1d_valid", NewConv1D("c", 64, 5, "relu"), Shape{100, 128}, Shape{96, 64}, 5*128*64 + 64},
		{"conv1d_same_s2", func() Layer { c := NewConv1D("c", 4, 3, ""); c.Strides, c.Padding = 2, "same"; return c }(), Shape{7, 2}, Shape{4, 4}, 3*2*4 + 4},
		{"conv1d_causal", func() Layer { c := NewConv1D("c", 4, 3, ""); c.Padding = "causal"; return c }(), Shape{7, 2}, Shape{7, 4}, 3*2*4 + 4},
		{"max_pooling1d", NewMaxPooling1D("m", 4), Shape{96, 64}, Shape{24, 64}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			out, err := tc.layer.Build(g.Root(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.out.String() {
				t.Errorf("output shape %v, want %v", out, tc.out)
			}
			tr, nt := CountParams(tc.layer.Variables())
			if tr+nt != tc.params {
				t.Errorf("params %d, want %d", tr+nt, tc.params)
			}
		})
	}
}

// Keras's weight names and layouts.
func TestLSTMWeightsKeras(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	m := NewSequential("", NewEmbedding("embedding", 100, 8), NewLSTM("lstm", 4), NewDense("dense", 1, "sigmoid"))
	if err := m.Build(g.Root(), Shape{10}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range m.Variables() {
		names = append(names, v.Name)
	}
	want := "sequential/embedding/embeddings sequential/lstm/kernel sequential/lstm/recurrent_kernel sequential/lstm/bias sequential/dense/kernel sequential/dense/bias"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("variables\n got %s\nwant %s", got, want)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	vals, err := sess.Get(g.Variable("sequential/lstm/bias"))
	if err != nil {
		t.Fatal(err)
	}
	b := graphs.Float64s(vals[0])
	for i, v := range b { // unit_forget_bias: gates i, f, c, o; f is ones
		want := 0.0
		if i >= 4 && i < 8 {
			want = 1
		}
		if v != want {
			t.Fatalf("bias[%d] = %v, want %v (unit_forget_bias)", i, v, want)
		}
	}
}

// Layers reject input shapes they cannot take, and unknown activations, before training.
func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name  string
		layer Layer
		in    Shape
		want  string
	}{
		{"lstm_needs_sequence", NewLSTM("lstm", 4), Shape{10}, "timesteps"},
		{"conv1d_too_short", NewConv1D("conv1d", 4, 5, "relu"), Shape{3, 2}, "kernel_size"},
		{"pool_too_short", NewMaxPooling1D("max_pooling1d", 4), Shape{3, 2}, "pool_size"},
		{"unknown_activation", NewDense("dense", 4, "relux"), Shape{3}, `unknown activation "relux"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			_, err := tc.layer.Build(g.Root(), tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	m := NewSequential("", NewEmbedding("embedding", 20000, 32), NewLSTM("lstm", 32), NewDense("dense", 1, "sigmoid"))
	if err := m.Build(g.Root(), Shape{80}); err != nil {
		t.Fatal(err)
	}
	s := m.Summary()
	for _, want := range []string{`Model: "sequential"`, "embedding (Embedding)", "(None, 80, 32)", "640000", "lstm (LSTM)", "8320", "Total params: 648,353", "Non-trainable params: 0"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

// A final Activation(softmax) gives the loss its logits, as a Dense(softmax) does.
func TestFinalActivationLogits(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	m := NewSequential("", NewDense("dense", 3, ""), NewActivation("activation", "softmax"))
	if err := m.Build(g.Root(), Shape{4}); err != nil {
		t.Fatal(err)
	}
	x := g.Root().Placeholder("x", tf.Float, -1, 4)
	_, logits := m.Call(x, false)
	if logits.Op == nil {
		t.Fatal("no logits for a final Activation(softmax)")
	}
	if logits.Op.Name() != m.Penultimate().Op.Name() {
		t.Errorf("logits %s, want the Activation's input %s", logits.Op.Name(), m.Penultimate().Op.Name())
	}
}

func TestLSTMImplementationFor(t *testing.T) {
	for _, tc := range []struct {
		batch int
		want  string
	}{{1, LSTMFused}, {32, LSTMFused}, {128, LSTMFused}, {129, LSTMUnrolled}, {512, LSTMUnrolled}} {
		if got := LSTMImplementationFor(tc.batch); got != tc.want {
			t.Errorf("LSTMImplementationFor(%d) = %q, want %q", tc.batch, got, tc.want)
		}
	}
}

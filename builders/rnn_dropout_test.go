package builders

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// A recurrent layer's dropout is Keras 3's: in training one mask per sequence over the
// input features, the same at every step, kept features scaled by 1/(1 − rate); in
// inference nothing.
func TestRNNInputDropout(t *testing.T) {
	const batch, steps, features, rate = 64, 5, 32, 0.25
	g := graphs.NewGraph(tf.Float, 7)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, steps, features)
	train, infer := rnnInputDropout(s, x, rate, true), rnnInputDropout(s, x, rate, false)
	if infer != x {
		t.Error("inference dropout is not the identity")
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil { // the step counter, which seeds the draws
		t.Fatal(err)
	}
	ones := make([]float32, batch*steps*features)
	for i := range ones {
		ones[i] = 1
	}
	xt, err := graphs.NewTensor(ones, batch, steps, features)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{train})
	if err != nil {
		t.Fatal(err)
	}
	y := graphs.Float64s(out[0])
	dropped := 0
	for b := range batch {
		for f := range features {
			first := y[b*steps*features+f]
			if first != 0 && math.Abs(first-1/(1-rate)) > 1e-6 {
				t.Fatalf("value %v, want 0 or %v", first, 1/(1-rate))
			}
			for st := 1; st < steps; st++ {
				if v := y[(b*steps+st)*features+f]; v != first {
					t.Fatalf("example %d, feature %d: step %d has %v, step 0 %v; the mask must not change over the steps", b, f, st, v, first)
				}
			}
			if first == 0 {
				dropped++
			}
		}
	}
	// 2048 draws at p = 0.25: 512 expected, standard deviation about 20.
	if n := batch * features; math.Abs(float64(dropped)-rate*float64(n)) > 100 {
		t.Errorf("%d of %d features dropped, want about %v", dropped, n, rate*float64(n))
	}
}

// LSTM's use_bias and unit_forget_bias, as Keras: no bias variable, or a zero one.
func TestLSTMBiasOptions(t *testing.T) {
	for _, tc := range []struct {
		name            string
		useBias, forget bool
		vars            int
		forgetBias      float64
	}{
		{"default", true, true, 3, 1},
		{"no_unit_forget_bias", true, false, 3, 0},
		{"no_bias", false, true, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			l := NewLSTM("lstm", 2)
			l.UseBias, l.UnitForgetBias = tc.useBias, tc.forget
			if _, err := l.Build(g.Root(), Shape{3, 4}); err != nil {
				t.Fatal(err)
			}
			if len(l.Variables()) != tc.vars {
				t.Fatalf("%d variables, want %d", len(l.Variables()), tc.vars)
			}
			if !tc.useBias {
				return
			}
			sess, err := graphs.NewSession(g, graphs.SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if err := sess.InitVariables(); err != nil {
				t.Fatal(err)
			}
			b, err := sess.Get(g.Variable("lstm/bias"))
			if err != nil {
				t.Fatal(err)
			}
			if got := graphs.Float64s(b[0])[2]; got != tc.forgetBias { // gates i, f, c, o of 2 units: f starts at 2
				t.Errorf("forget-gate bias %v, want %v", got, tc.forgetBias)
			}
		})
	}
}

package graphs_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// customMatMul is x·w through CustomGradient, its backward written out (dx = d·wᵀ,
// dw = xᵀ·d): a custom-gradient op for tests, or the same product from the registry.
func customMatMul(s *graphs.Scope, x, w tf.Output, custom bool) tf.Output {
	if !custom {
		return op.MatMul(s.Op("MatMul"), x, w)
	}
	return s.CustomGradient("TestMatMul", []tf.Output{x, w}, func(c *graphs.Scope, cut []tf.Output) []tf.Output {
		return []tf.Output{op.MatMul(c.Op("MatMul"), cut[0], cut[1])}
	}, func(c *graphs.Scope, d []tf.Output) []tf.Output {
		dx := op.MatMul(c.Op("MatMul"), d[0], w, op.MatMulTransposeB(true))
		dw := op.MatMul(c.Op("MatMul"), x, d[0], op.MatMulTransposeA(true))
		return []tf.Output{dx, dw}
	})[0]
}

// customChain is n residual layers x + tanh(x)·wᵢ, each product a custom-gradient op
// (each x meets the gradient of the layer it feeds and of the rest), and its loss's
// gradients with respect to the n weights; with l2 the loss adds each weight's squares
// (an L2 regularizer: the loss then depends on every weight directly too).
func customChain(tb testing.TB, n int, l2 bool) *graphs.Graph {
	tb.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Const([][]float32{{1, 2}})
	xs := make([]tf.Output, n)
	for i := range xs {
		v := s.Sub(fmt.Sprintf("dense_%d", i)).NewVariable("kernel", tf.Float, []int64{2, 2}, graphs.GlorotUniform{}, true)
		xs[i] = v.Value()
		x = op.Add(s.Op("Add"), x, customMatMul(s, op.Tanh(s.Op("Tanh"), x), xs[i], true))
	}
	loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), x), s.Const([]int32{0, 1}))
	if l2 {
		terms := []tf.Output{loss}
		for _, w := range xs {
			terms = append(terms, op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), w), s.Const([]int32{0, 1})))
		}
		loss = op.AddN(s.Op("AddN"), terms)
	}
	if _, err := s.Gradients(loss, xs); err != nil {
		tb.Fatal(err)
	}
	return g
}

func opsByType(g *graphs.Graph) (total int, byType map[string]int) {
	byType = map[string]int{}
	for _, o := range g.TF().Operations() {
		byType[o.Type()]++
	}
	return len(g.TF().Operations()), byType
}

// TestGradientsCustomChainLinear: the backward graph of n layers with custom gradients
// has one gradient of each layer's registry op (TanhGrad; the first layer's tanh is of a
// constant and needs none), and the graph of 2n layers is about twice that of n.
// Carrying each custom op's output gradient from the loss separately emitted the
// TanhGrads of every later layer again: n(n−1)/2 of them (56 ops where 7 do for 8 layers).
func TestGradientsCustomChainLinear(t *testing.T) {
	for _, l2 := range []bool{false, true} {
		for _, n := range []int{1, 8, 16} {
			_, byType := opsByType(customChain(t, n, l2))
			if got := byType["TanhGrad"]; got != n-1 {
				t.Errorf("%d layers (L2 %v): %d TanhGrad ops, want %d (one per layer after the first)", n, l2, got, n-1)
			}
		}
		small, _ := opsByType(customChain(t, 16, l2))
		big, _ := opsByType(customChain(t, 32, l2))
		ratio := float64(big) / float64(small)
		t.Logf("L2 %v: %d ops for 16 layers, %d for 32 (×%.2f)", l2, small, big, ratio)
		if ratio > 2.1 {
			t.Errorf("L2 %v: the graph of 32 layers has %.2f× the ops of 16's (%d / %d); want about 2×", l2, ratio, big, small)
		}
	}
}

// meetingGraph is a graph where custom-gradient ops feed each other and the gradients of
// several of them meet: through residual Adds, a tensor feeding two custom ops, a weight
// used by two, and a custom op's output feeding another custom op directly.
func meetingGraph(s *graphs.Scope, in []tf.Output, custom bool) tf.Output {
	x, w1, w2, w3 := in[0], in[1], in[2], in[3]
	tanh := func(x tf.Output) tf.Output { return op.Tanh(s.Op("Tanh"), x) }
	h1 := customMatMul(s, tanh(x), w1, custom)
	h2 := customMatMul(s, tanh(h1), w2, custom)
	r := op.Add(s.Op("Add"), h1, h2) // residual: h1 meets h2's gradient
	b := tanh(r)
	h3 := customMatMul(s, b, w3, custom) // b feeds two custom ops,
	h4 := customMatMul(s, b, w1, custom) // w1 two layers
	h5 := customMatMul(s, h3, w2, custom)
	out := op.Add(s.Op("Add"), op.Mul(s.Op("Mul"), h5, h4), r) // and r the output
	return gradcheck.Project(s, out, []int64{3, 4}, 5)
}

func meetingParams() []gradcheck.Param {
	rng := rand.New(rand.NewPCG(7, 8))
	return []gradcheck.Param{
		gradcheck.Random("x", rng, 1, 3, 4),
		gradcheck.Random("w1", rng, 0.7, 4, 4),
		gradcheck.Random("w2", rng, 0.7, 4, 4),
		gradcheck.Random("w3", rng, 0.7, 4, 4),
	}
}

// The gradients where custom ops' gradients meet match finite differences (float64),
// with and without an L2 term of the weights in the loss.
func TestGradientsMeetingCustomOpsNumeric(t *testing.T) {
	for _, l2 := range []bool{false, true} {
		worst, err := gradcheck.Check(meetingParams(), func(s *graphs.Scope, in []tf.Output) tf.Output {
			loss := meetingGraph(s, in, true)
			if l2 {
				for _, w := range in[1:] {
					loss = op.Add(s.Op("Add"), loss, op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), w), s.Const([]int32{0, 1})))
				}
			}
			return loss
		}, gradcheck.Options{})
		if err != nil {
			t.Fatalf("L2 %v: %v", l2, err)
		}
		t.Logf("L2 %v: worst relative error %.2g", l2, worst)
	}
}

// The same gradients equal the registry's, computed by one TF_AddGradients call on the
// same graph with TensorFlow's MatMul (float64, to rounding).
func TestGradientsMeetingCustomOpsMatchRegistry(t *testing.T) {
	grads := func(custom bool) [][]float64 {
		g := graphs.NewGraph(tf.Double, 1)
		s := g.Root()
		ps := meetingParams()
		in := make([]tf.Output, len(ps))
		feeds := map[tf.Output]*tf.Tensor{}
		for i, p := range ps {
			in[i] = s.Placeholder(p.Name, tf.Double, p.Shape...)
			v, err := graphs.NewTensor(p.Values, p.Shape...)
			if err != nil {
				t.Fatal(err)
			}
			feeds[in[i]] = v
		}
		ds, err := s.Gradients(meetingGraph(s, in, custom), in)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		out, err := sess.Run(feeds, ds)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([][]float64, len(out))
		for i, o := range out {
			vals[i] = graphs.Float64s(o)
		}
		return vals
	}
	got, want := grads(true), grads(false)
	for i := range want {
		for k := range want[i] {
			if d := math.Abs(got[i][k] - want[i][k]); d > 1e-12*math.Max(1, math.Abs(want[i][k])) {
				t.Errorf("gradient %d[%d]: %.17g with custom ops, %.17g from the registry", i, k, got[i][k], want[i][k])
			}
		}
	}
}

// A custom op whose output the loss reaches only through StopGradient gets no gradient
// from it, and a variable only it depends on gets a zero Output.
func TestGradientsThroughStopGradientOnly(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	w := s.Sub("dense").NewVariable("kernel", tf.Float, []int64{2, 2}, graphs.Ones{}, true)
	v := s.Sub("other").NewVariable("kernel", tf.Float, []int64{2, 2}, graphs.Ones{}, true)
	x := s.Const([][]float32{{1, 2}})
	h := customMatMul(s, x, w.Value(), true)
	loss := op.Sum(s.Op("Sum"), op.Add(s.Op("Add"), op.StopGradient(s.Op("StopGradient"), h),
		op.MatMul(s.Op("MatMul"), x, v.Value())), s.Const([]int32{0, 1}))
	grads, err := s.Gradients(loss, []tf.Output{w.Value(), v.Value()})
	if err != nil {
		t.Fatal(err)
	}
	if grads[0].Op != nil {
		t.Errorf("gradient of the kernel behind StopGradient is %v, want a zero Output", grads[0])
	}
	if grads[1].Op == nil {
		t.Errorf("the other kernel has no gradient")
	}
}

// A loss that is a custom op's output is differentiated by that op's backward alone.
func TestGradientsLossIsCustomOutput(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, 3)
	loss := s.CustomGradient("SumOfSquares", []tf.Output{x}, func(c *graphs.Scope, cut []tf.Output) []tf.Output {
		return []tf.Output{op.Sum(c.Op("Sum"), op.Square(c.Op("Square"), cut[0]), c.Const([]int32{0}))}
	}, func(c *graphs.Scope, d []tf.Output) []tf.Output {
		return []tf.Output{op.Mul(c.Op("Mul"), op.Mul(c.Op("Mul"), x, c.Const(float32(2))), d[0])}
	})[0]
	grads, err := s.Gradients(loss, []tf.Output{x})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	in, err := graphs.NewTensor([]float32{1, -2, 3}, 3)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(map[tf.Output]*tf.Tensor{x: in}, grads)
	if err != nil {
		t.Fatal(err)
	}
	if got := graphs.Float64s(out[0]); fmt.Sprint(got) != "[2 -4 6]" {
		t.Errorf("gradient %v, want [2 -4 6]", got)
	}
}

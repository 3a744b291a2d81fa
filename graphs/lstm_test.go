package graphs_test

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

const (
	lstmSteps, lstmBatch, lstmIn, lstmUnits = 4, 3, 2, 3
)

func lstmParams(seed uint64) []gradcheck.Param {
	rng := rand.New(rand.NewPCG(seed, 1))
	return []gradcheck.Param{
		gradcheck.Random("x", rng, 1, lstmSteps, lstmBatch, lstmIn),
		gradcheck.Random("w", rng, 0.5, lstmIn+lstmUnits, 4*lstmUnits),
		gradcheck.Random("b", rng, 0.5, 4*lstmUnits),
	}
}

// The reference cell, in float64, against finite differences.
func TestUnrolledLSTMGradient(t *testing.T) {
	worst, err := gradcheck.Check(lstmParams(1), func(s *graphs.Scope, in []tf.Output) tf.Output {
		h := s.UnrolledLSTM(in[0], in[1], in[2], lstmSteps, lstmUnits)
		return gradcheck.Project(s, h, []int64{lstmSteps, lstmBatch, lstmUnits}, 7)
	}, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("worst relative error %.2g", worst)
}

// The fused kernel (float32 only) against finite differences, through CustomGradient.
func TestBlockLSTMGradientNumeric(t *testing.T) {
	worst, err := gradcheck.Check(lstmParams(2), func(s *graphs.Scope, in []tf.Output) tf.Output {
		h := s.BlockLSTM(in[0], in[1], in[2], lstmUnits)
		return gradcheck.Project(s, h, []int64{lstmSteps, lstmBatch, lstmUnits}, 7)
	}, gradcheck.Options{DType: tf.Float, Step: 1e-2, RelTol: 2e-2, AbsTol: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("worst relative error %.2g", worst)
}

// The fused kernel's values and gradients equal the reference cell's (float32).
func TestBlockLSTMMatchesUnrolled(t *testing.T) {
	ps := lstmParams(3)
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	in := make([]tf.Output, len(ps))
	feeds := map[tf.Output]*tf.Tensor{}
	for i, p := range ps {
		in[i] = s.Placeholder(p.Name, tf.Float, p.Shape...)
		v := make([]float32, len(p.Values))
		for k, x := range p.Values {
			v[k] = float32(x)
		}
		tt, err := graphs.NewTensor(v, p.Shape...)
		if err != nil {
			t.Fatal(err)
		}
		feeds[in[i]] = tt
	}
	shape := []int64{lstmSteps, lstmBatch, lstmUnits}
	// Use only the last step, as the LSTM layer does, plus a square to make the
	// upstream gradient depend on the values.
	last := func(h tf.Output) tf.Output {
		hl := op.GatherV2(s.Op("GatherV2"), h, s.Const(int32(lstmSteps-1)), s.Const(int32(0)))
		return op.AddV2(s.Op("AddV2"), gradcheck.Project(s, h, shape, 5), op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), hl), s.Const([]int32{0, 1})))
	}
	hf := s.BlockLSTM(in[0], in[1], in[2], lstmUnits)
	hr := s.UnrolledLSTM(in[0], in[1], in[2], lstmSteps, lstmUnits)
	lf, lr := last(hf), last(hr)
	gf, err := s.Gradients(lf, in)
	if err != nil {
		t.Fatal(err)
	}
	gr, err := s.Gradients(lr, in)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(feeds, append(append([]tf.Output{hf, hr}, gf...), gr...))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"h", "dx", "dw", "db"}
	for k := 0; k < 4; k++ {
		a, b := graphs.Float64s(out[2*k]), graphs.Float64s(out[2*k+1])
		if k > 0 {
			a, b = graphs.Float64s(out[1+k]), graphs.Float64s(out[1+k+3])
		}
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%s: %d vs %d values", names[k], len(a), len(b))
		}
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-5*(1+math.Abs(b[i])) {
				t.Fatalf("%s[%d]: fused %.7g, reference %.7g", names[k], i, a[i], b[i])
			}
		}
	}
}

// An op without any gradient fails with an error naming it.
func TestGradientsNamesOpWithoutGradient(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, 3)
	y := op.Sum(s.Op("Sum"), op.Round(s.Op("Round"), x), s.Const([]int32{0}))
	_, err := s.Gradients(y, []tf.Output{x})
	if err == nil || !strings.Contains(err.Error(), "Round") {
		t.Fatalf("err = %v, want one naming Round", err)
	}
}

// A variable the loss does not depend on is an error naming it.
func TestGradientsUnreachableVariable(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	d := s.Sub("dense")
	a := d.NewVariable("kernel", tf.Float, []int64{2}, graphs.Ones{}, true)
	b := d.NewVariable("unused", tf.Float, []int64{2}, graphs.Ones{}, true)
	loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), a.Value()), s.Const([]int32{0}))
	_, err := s.Gradients(loss, []tf.Output{a.Value(), b.Value()})
	if err == nil || !strings.Contains(err.Error(), `"dense/unused"`) {
		t.Fatalf("err = %v, want one naming dense/unused", err)
	}
}

package builders

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

// Every activation by name, and the activation layers' ops with their arguments, against
// central finite differences in float64 (inputs in [−4, 4], across relu6's and
// hard_sigmoid's bends; a draw exactly on a kink would fail, none is within the step).
func TestActivationGradientsNumeric(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	x := func() []gradcheck.Param { return []gradcheck.Param{gradcheck.Random("x", rng, 4, 3, 2, 4)} }
	out := []int64{3, 2, 4}
	type gradCase struct {
		name   string
		params []gradcheck.Param
		build  func(s *graphs.Scope, in []tf.Output) tf.Output
	}
	var cases []gradCase
	for _, a := range Activations {
		cases = append(cases, gradCase{"activation_" + a, x(), func(s *graphs.Scope, in []tf.Output) tf.Output {
			return activate(s, a, in[0])
		}})
	}
	six, two := 6.0, 2.0
	cases = append(cases,
		gradCase{"relu_max_6", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return reluOp(s, in[0], &six, 0, 0) }},
		gradCase{"relu_slope", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return reluOp(s, in[0], nil, 0.1, 0) }},
		gradCase{"relu_threshold", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return reluOp(s, in[0], nil, 0, 1) }},
		gradCase{"relu_max_slope_threshold", x(), func(s *graphs.Scope, in []tf.Output) tf.Output {
			return reluOp(s, in[0], &two, 0.3, 0.5)
		}},
		gradCase{"elu_alpha_half", x(), func(s *graphs.Scope, in []tf.Output) tf.Output { return eluOp(s, in[0], 0.5) }},
		gradCase{"prelu_shared_axis_1", append(x(), gradcheck.Random("alpha", rng, 1, 1, 4)), func(s *graphs.Scope, in []tf.Output) tf.Output {
			return preluOp(s, in[0], in[1])
		}},
		gradCase{"softmax_axis_1", x(), func(s *graphs.Scope, in []tf.Output) tf.Output {
			l := NewSoftmax("softmax", 1)
			if _, err := l.Build(s, Shape{2, 4}); err != nil {
				s.Fail("%v", err)
			}
			return l.Call(in[0], true)
		}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := gradcheck.Check(tc.params, func(s *graphs.Scope, in []tf.Output) tf.Output {
				return gradcheck.Project(s, tc.build(s, in), out, 11)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

// In bfloat16 and float16 LeakyReLU's gradient is dy·max(sign(y), slope), not
// TensorFlow's LeakyReluGrad, whose CPU kernel does not vectorize in those types (a fifth
// of a mixed_bfloat16 DCGAN step, docs/results/dcgan_profile_zen5.md). The replacement
// must give the kernel's result bit for bit, at zero and on both sides of it, and must
// not leave a LeakyReluGrad in the graph; in float32 the kernel stays.
func TestLeakyReLUGradHalfTypes(t *testing.T) {
	xs := []float32{-3.5, -1, -0.3, -1e-3, 0, 1e-3, 0.3, 1, 2.75, -7, 5.5, -0.01}
	dys := []float32{1, -2.5, 0.7, 3, -1.25, 0.1, -0.9, 4, -6, 0.33, 1.5, -0.75}
	for _, tc := range []struct {
		dtype tf.DataType
		slope float64
		want  bool // a LeakyReluGrad op in the graph
	}{
		{tf.Bfloat16, 0.2, false},
		{tf.Half, 0.3, false},
		{tf.Bfloat16, 1, false},
		{tf.Bfloat16, 1.5, true}, // max(sign(y), slope) would be slope for y > 0
		{tf.Float, 0.2, true},
	} {
		t.Run(fmt.Sprintf("%v_%v", graphs.DTypeName(tc.dtype), tc.slope), func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			s := g.Root()
			x := s.CastTo(s.Const(xs), tc.dtype)
			dy := s.CastTo(s.Const(dys), tc.dtype)
			y := leakyReLUOp(s, x, tc.slope)
			loss := op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), s.CastTo(y, tf.Float), s.Const(dys)), s.Const([]int32{0}))
			grads, err := s.Gradients(loss, []tf.Output{x})
			if err != nil {
				t.Fatal(err)
			}
			kernel := op.LeakyReluGrad(s.Op("kernel"), dy, y, op.LeakyReluGradAlpha(float32(tc.slope)))
			var ops []string
			for _, o := range g.TF().Operations() {
				if o.Type() == "LeakyReluGrad" && o.Name() != kernel.Op.Name() {
					ops = append(ops, o.Name())
				}
			}
			if got := len(ops) > 0; got != tc.want {
				t.Errorf("LeakyReluGrad ops in the gradient: %q; want some: %v", ops, tc.want)
			}
			sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			res, err := sess.Run(nil, []tf.Output{s.CastTo(grads[0], tf.Float), s.CastTo(kernel, tf.Float)})
			if err != nil {
				t.Fatal(err)
			}
			got, want := res[0].Value().([]float32), res[1].Value().([]float32)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Errorf("x %v, dy %v: gradient %v, LeakyReluGrad %v", xs[i], dys[i], got[i], want[i])
				}
			}
		})
	}
}

package builders

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
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

// In bfloat16 and float16 LeakyReLU's gradient is tfrun's own TfrunLeakyReluGrad, or
// with tfrun's kernels turned off dy·max(sign(y), slope), not TensorFlow's LeakyReluGrad,
// whose CPU kernel does not vectorize in those types (a fifth of a mixed_bfloat16 DCGAN
// step, docs/results/dcgan_profile_zen5.md). Either must give the kernel's result bit for
// bit, at zero and on both sides of it, and must not leave a LeakyReluGrad in the graph;
// in float32 TensorFlow's kernel stays.
func TestLeakyReLUGradHalfTypes(t *testing.T) {
	xs := []float32{-3.5, -1, -0.3, -1e-3, 0, 1e-3, 0.3, 1, 2.75, -7, 5.5, -0.01}
	dys := []float32{1, -2.5, 0.7, 3, -1.25, 0.1, -0.9, 4, -6, 0.33, 1.5, -0.75}
	for _, tc := range []struct {
		dtype      tf.DataType
		slope      float64
		ownKernels bool
		want       string // the op type computing the gradient
	}{
		{tf.Bfloat16, 0.2, true, graphs.OpLeakyReluGrad},
		{tf.Half, 0.3, true, graphs.OpLeakyReluGrad},
		{tf.Bfloat16, 1.5, true, graphs.OpLeakyReluGrad},
		{tf.Bfloat16, 0.2, false, "Mul"},
		{tf.Half, 0.3, false, "Mul"},
		{tf.Bfloat16, 1, false, "Mul"},
		{tf.Bfloat16, 1.5, false, "LeakyReluGrad"}, // max(sign(y), slope) would be slope for y > 0
		{tf.Float, 0.2, true, "LeakyReluGrad"},
	} {
		t.Run(fmt.Sprintf("%v_%v_own_kernels_%v", graphs.DTypeName(tc.dtype), tc.slope, tc.ownKernels), func(t *testing.T) {
			if !tc.ownKernels {
				t.Setenv(lstmkernel.EnvVar, "0")
			}
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
				if (o.Type() == "LeakyReluGrad" || o.Type() == graphs.OpLeakyReluGrad) && o.Name() != kernel.Op.Name() {
					ops = append(ops, o.Type())
				}
			}
			wantOps := []string{tc.want}
			if tc.want == "Mul" {
				wantOps = nil
			}
			if !slices.Equal(ops, wantOps) {
				t.Errorf("LeakyReLU gradient ops %q, want %q", ops, wantOps)
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
			got, want := graphs.Value(res[0]).([]float32), graphs.Value(res[1]).([]float32)
			sameBits(t, got, want, func(i int) string { return fmt.Sprintf("x %v, dy %v", xs[i], dys[i]) }, "LeakyReluGrad")
		})
	}
}

// In bfloat16 and float16, Elu's and Selu's gradients are built from vectorized
// element-wise ops, not TensorFlow's EluGrad and SeluGrad, whose CPU kernels do not
// vectorize in those types (#26). The gradient must be the one TensorFlow's registry gives
// for the same forward ops, bit for bit: at zero (both signs), just either side of it,
// away from it, where elu saturates at −1, and on a fine sweep that crosses the places
// where y + 1 and y + scale·alpha change rounding. No EluGrad or SeluGrad may be left in
// those graphs; in float32 the kernels stay.
func TestActivationGradHalfTypes(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	xs := []float32{0, negZero, 1e-30, -1e-30, 1e-8, -1e-8, 1e-5, -1e-5, 1e-3, -1e-3, 0.01, -0.01,
		0.3, -0.3, 1, -1, 2.75, -2.75, 5.5, -7, -20, -100, -1e4, 60}
	for x := float32(-12); x < 4; x += 1.0 / 128 {
		xs = append(xs, x)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	dys := make([]float32, len(xs))
	for i := range dys {
		dys[i] = float32(rng.NormFloat64() * 3)
	}
	dys[0], dys[1], dys[2] = negZero, 0, negZero // signed zero gradients too
	elu := func(s *graphs.Scope, x tf.Output) tf.Output { return op.Elu(s.Op("Elu"), x) }
	eluHalf := func(s *graphs.Scope, x tf.Output) tf.Output { // eluOp(x, 0.5) with the plain Elu op
		y := op.Elu(s.Op("Elu"), x)
		return rawOp(s, "SelectV2", op.Greater(s.Op("Greater"), x, s.Scalar(0)), y, op.Mul(s.Op("Mul"), s.Scalar(0.5), y))
	}
	selu := func(s *graphs.Scope, x tf.Output) tf.Output { return op.Selu(s.Op("Selu"), x) }
	for _, tc := range []struct {
		name   string
		build  func(s *graphs.Scope, x tf.Output) tf.Output // under test
		ref    func(s *graphs.Scope, x tf.Output) tf.Output // TensorFlow's op and registry gradient
		kernel string
	}{
		{"elu", func(s *graphs.Scope, x tf.Output) tf.Output { return activate(s, "elu", x) }, elu, "EluGrad"},
		{"elu_alpha_half", func(s *graphs.Scope, x tf.Output) tf.Output { return eluOp(s, x, 0.5) }, eluHalf, "EluGrad"},
		{"selu", func(s *graphs.Scope, x tf.Output) tf.Output { return activate(s, "selu", x) }, selu, "SeluGrad"},
	} {
		for _, dtype := range []tf.DataType{tf.Bfloat16, tf.Half, tf.Float} {
			t.Run(tc.name+"_"+graphs.DTypeName(dtype), func(t *testing.T) {
				got, kernels := gradientAt(t, dtype, xs, dys, tc.build, tc.kernel)
				if want := dtype == tf.Float; kernels != want {
					t.Errorf("%s in the gradient: %v; want %v", tc.kernel, kernels, want)
				}
				want, kernels := gradientAt(t, dtype, xs, dys, tc.ref, tc.kernel)
				if !kernels {
					t.Fatalf("no %s in the reference gradient", tc.kernel)
				}
				sameBits(t, got, want, func(i int) string { return fmt.Sprintf("x %v, dy %v", xs[i], dys[i]) }, "TensorFlow's")
			})
		}
	}
}

// gradientAt evaluates the gradient of sum(float32(build(x))·dys) with respect to x, the
// inputs fed in float32 (fed, so that grappler cannot fold the gradient into a constant)
// and cast to dtype, with one thread, and reports whether the graph has an op of type
// kernel.
func gradientAt(t *testing.T, dtype tf.DataType, xs, dys []float32, build func(s *graphs.Scope, x tf.Output) tf.Output, kernel string) ([]float32, bool) {
	t.Helper()
	g := graphs.NewGraph(dtype, 1)
	s := g.Root()
	xIn, dyIn := s.Placeholder("x", tf.Float, int64(len(xs))), s.Placeholder("dy", tf.Float, int64(len(dys)))
	x := s.CastTo(xIn, dtype)
	y := build(s, x)
	loss := op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), s.CastTo(y, tf.Float), dyIn), s.Const([]int32{0}))
	grads, err := s.Gradients(loss, []tf.Output{x})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range g.TF().Operations() {
		found = found || o.Type() == kernel
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	xt, err := tf.NewTensor(xs)
	if err != nil {
		t.Fatal(err)
	}
	dyt, err := tf.NewTensor(dys)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sess.Run(map[tf.Output]*tf.Tensor{xIn: xt, dyIn: dyt}, []tf.Output{s.CastTo(grads[0], tf.Float)})
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Value(res[0]).([]float32), found
}

// eluGrad and seluGrad against TensorFlow's EluGrad and SeluGrad kernels on any output y,
// not only those Elu and Selu produce: in bfloat16 Elu's outputs make y + 1 exact, so the
// rounding of y + 1 is checked here, on a grid of y at 2⁻¹² steps across [−2.5, 2.5]
// (beyond both functions' ranges) with random gradients, with tfrun's own kernels and with
// the element-wise ops that TFRUN_CUSTOM_KERNELS=0 builds.
func TestEluSeluGradKernels(t *testing.T) {
	var ys []float32
	for y := float32(-2.5); y <= 2.5; y += 1.0 / 4096 {
		ys = append(ys, y)
	}
	ys = append(ys, float32(math.Copysign(0, -1)), 1e-30, -1e-30, -1e-6, 1e-6, 100, -100)
	rng := rand.New(rand.NewPCG(3, 17))
	dys := make([]float32, len(ys))
	for i := range dys {
		dys[i] = float32(rng.NormFloat64() * 3)
	}
	for _, tc := range []struct {
		name         string
		grad, kernel func(s *graphs.Scope, dy, y tf.Output) tf.Output
	}{
		{"elu", eluGrad, func(s *graphs.Scope, dy, y tf.Output) tf.Output { return op.EluGrad(s.Op("EluGrad"), dy, y) }},
		{"selu", seluGrad, func(s *graphs.Scope, dy, y tf.Output) tf.Output { return op.SeluGrad(s.Op("SeluGrad"), dy, y) }},
	} {
		for _, c := range []struct {
			dtype      tf.DataType
			ownKernels bool // tfrun's own kernel, or the element-wise ops
		}{{tf.Bfloat16, true}, {tf.Half, true}, {tf.Bfloat16, false}, {tf.Half, false}} {
			dtype := c.dtype
			t.Run(fmt.Sprintf("%s_%s_own_kernels_%v", tc.name, graphs.DTypeName(dtype), c.ownKernels), func(t *testing.T) {
				if !c.ownKernels {
					t.Setenv(lstmkernel.EnvVar, "0")
				}
				g := graphs.NewGraph(dtype, 1)
				s := g.Root()
				yIn, dyIn := s.Placeholder("y", tf.Float, int64(len(ys))), s.Placeholder("dy", tf.Float, int64(len(dys)))
				y, dy := s.CastTo(yIn, dtype), s.CastTo(dyIn, dtype)
				sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				yt, _ := tf.NewTensor(ys)
				dyt, _ := tf.NewTensor(dys)
				res, err := sess.Run(map[tf.Output]*tf.Tensor{yIn: yt, dyIn: dyt}, []tf.Output{
					s.CastTo(tc.grad(s, dy, y), tf.Float), s.CastTo(tc.kernel(s, dy, y), tf.Float), s.CastTo(y, tf.Float)})
				if err != nil {
					t.Fatal(err)
				}
				got, want, yd := graphs.Value(res[0]).([]float32), graphs.Value(res[1]).([]float32), graphs.Value(res[2]).([]float32)
				sameBits(t, got, want, func(i int) string { return fmt.Sprintf("y %v, dy %v", yd[i], dys[i]) }, "kernel")
			})
		}
	}
}

// sameBits reports every gradient in got that is not want's bit for bit (the first ten
// with where names their inputs and ref names want's source, then how many in all).
func sameBits(t *testing.T, got, want []float32, where func(i int) string, ref string) {
	t.Helper()
	bad := 0
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			if bad++; bad <= 10 {
				t.Errorf("%s: gradient %v, %s %v", where(i), got[i], ref, want[i])
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d of %d gradients differ", bad, len(want))
	}
}

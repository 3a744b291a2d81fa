package builders

import (
	"math"
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// TimeDistributed, RepeatVector, Permute and the noise layers' math (on fixed draws)
// against central finite differences in float64; TimeDistributed's wrapped weights are
// variables, its input is checked.
func TestShapeToolGradientsNumeric(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 9))
	p := func(name string, shape ...int64) gradcheck.Param { return gradcheck.Random(name, rng, 1, shape...) }
	for _, tc := range []struct {
		name   string
		params []gradcheck.Param
		out    []int64
		build  func(s *graphs.Scope, in []tf.Output) tf.Output
	}{
		{"time_distributed_dense", []gradcheck.Param{p("x", 2, 3, 4)}, []int64{2, 3, 5},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewTimeDistributed("time_distributed", NewDense("dense", 5, "tanh")), Shape{3, 4}, in[0])
			}},
		{"time_distributed_conv2d", []gradcheck.Param{p("x", 2, 3, 4, 4, 2)}, []int64{2, 3, 2, 2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				c := NewConv2D("conv2d", 3, [2]int{3, 3}, [2]int{1, 1}, "valid")
				return buildCall(s, NewTimeDistributed("time_distributed", c), Shape{3, 4, 4, 2}, in[0])
			}},
		{"repeat_vector", []gradcheck.Param{p("x", 2, 4)}, []int64{2, 3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewRepeatVector("r", 3), Shape{4}, in[0])
			}},
		{"permute_3_1_2", []gradcheck.Param{p("x", 2, 3, 4, 5)}, []int64{2, 5, 3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewPermute("p", 3, 1, 2), Shape{3, 4, 5}, in[0])
			}},
		{"gaussian_noise", []gradcheck.Param{p("x", 3, 4)}, []int64{3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return gaussianNoiseOp(s, in[0], s.Const([][]float64{{0.3, -1.2, 0.5, 2}, {-0.1, 0.7, 1.1, -0.4}, {0, 1, -2, 0.25}}), 0.5)
			}},
		{"gaussian_dropout", []gradcheck.Param{p("x", 3, 4)}, []int64{3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return gaussianDropoutOp(s, in[0], s.Const([][]float64{{0.3, -1.2, 0.5, 2}, {-0.1, 0.7, 1.1, -0.4}, {0, 1, -2, 0.25}}), 0.3)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := gradcheck.Check(tc.params, func(s *graphs.Scope, in []tf.Output) tf.Output {
				return gradcheck.Project(s, tc.build(s, in), tc.out, 11)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

// In training GaussianNoise adds noise of its stddev and GaussianDropout multiplies by
// noise of mean 1 and standard deviation √(rate/(1 − rate)), new draws each training step;
// a graph rebuilt with the same seed and its step counter set to a step draws that step's
// noise again (what makes a resumed run bit-exact); inference is the identity.
func TestGaussianNoiseLayers(t *testing.T) {
	const n = 20000
	for _, tc := range []struct {
		name      string
		make      func() Layer
		mean, std float64 // of y for x = 1
	}{
		{"GaussianNoise", func() Layer { return NewGaussianNoise("gaussian_noise", 0.4) }, 1, 0.4},
		{"GaussianDropout", func() Layer { return NewGaussianDropout("gaussian_dropout", 0.3) }, 1, math.Sqrt(0.3 / 0.7)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// run builds the layer in a fresh graph, sets the step counter to step and
			// returns the training output at that step and the next.
			run := func(step int64) [2][]float64 {
				g := graphs.NewGraph(tf.Float, 9)
				s := g.Root()
				l := tc.make()
				if _, err := l.Build(s, Shape{n}); err != nil {
					t.Fatal(err)
				}
				x := s.Placeholder("x", tf.Float, -1, n)
				y := l.Call(x, true)
				if infer := l.Call(x, false); infer != x {
					t.Errorf("inference: got %v, want the input itself", infer.Op.Name())
				}
				advance := s.AdvanceStep(y.Op)
				sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				if err := sess.InitVariables(); err != nil {
					t.Fatal(err)
				}
				st, err := tf.NewTensor(step)
				if err != nil {
					t.Fatal(err)
				}
				if err := sess.Set([]*graphs.Variable{g.StepCounter()}, []*tf.Tensor{st}); err != nil {
					t.Fatal(err)
				}
				ones := make([]float32, n)
				for i := range ones {
					ones[i] = 1
				}
				xt, _ := graphs.NewTensor(ones, 1, n)
				var out [2][]float64
				for i := range out {
					res, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{y}, advance)
					if err != nil {
						t.Fatal(err)
					}
					out[i] = graphs.Float64s(res[0])
				}
				return out
			}
			first := run(0)
			var sum, sq float64
			for _, v := range first[0] {
				sum += v
				sq += v * v
			}
			mean := sum / n
			std := math.Sqrt(sq/n - mean*mean)
			// 5 standard errors: the mean's σ/√n, the standard deviation's about σ/√(2n).
			if math.Abs(mean-tc.mean) > 5*tc.std/math.Sqrt(n) || math.Abs(std-tc.std) > 5*tc.std/math.Sqrt(2*n) {
				t.Errorf("mean %.4f, std %.4f; want %.4f, %.4f", mean, std, tc.mean, tc.std)
			}
			same := 0
			for i := range first[0] {
				if first[0][i] == first[1][i] {
					same++
				}
			}
			if same > n/100 {
				t.Errorf("steps 0 and 1 drew %d equal values of %d", same, n)
			}
			resumed := run(1)
			for i := range first[1] {
				if resumed[0][i] != first[1][i] {
					t.Fatalf("resumed at step 1: y[%d] = %v, the uninterrupted run's step 1 drew %v", i, resumed[0][i], first[1][i])
				}
			}
		})
	}
}

package builders

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// The convolutions and image shape layers of issue 23 against central finite differences
// in float64: every input and weight (the kernels of dilated convolutions through their
// zero-spread form).
func TestConvolutionGradientsNumeric(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 7))
	p := func(name string, shape ...int64) gradcheck.Param { return gradcheck.Random(name, rng, 1, shape...) }
	for _, tc := range []struct {
		name   string
		params []gradcheck.Param
		out    []int64
		build  func(s *graphs.Scope, in []tf.Output) tf.Output
	}{
		{"depthwise_valid", []gradcheck.Param{p("x", 2, 5, 6, 2), p("k", 3, 3, 2, 1)}, []int64{2, 3, 4, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return depthwiseConv2DOp(s, in[0], in[1], [2]int{1, 1}, "valid")
			}},
		{"depthwise_same_s2_m2", []gradcheck.Param{p("x", 2, 5, 6, 2), p("k", 3, 3, 2, 2)}, []int64{2, 3, 3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return depthwiseConv2DOp(s, in[0], in[1], [2]int{2, 2}, "same")
			}},
		{"depthwise_dilated_strided_same", []gradcheck.Param{p("x", 2, 7, 6, 2), p("k", 3, 2, 2, 1)}, []int64{2, 4, 3, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return depthwiseConv2DOp(s, in[0], dilateKernel(s, in[1], [2]int{3, 2}, [2]int{2, 3}), [2]int{2, 2}, "same")
			}},
		{"separable_same_m2", []gradcheck.Param{p("x", 2, 5, 5, 2), p("dk", 3, 3, 2, 2), p("pk", 1, 1, 4, 3), p("b", 3)}, []int64{2, 5, 5, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return separableConv2DOp(s, in[0], in[1], in[2], in[3], [2]int{1, 1}, "same")
			}},
		{"conv2d_dilated_valid", []gradcheck.Param{p("x", 2, 7, 6, 2), p("k", 3, 2, 2, 3), p("b", 3)}, []int64{2, 3, 4, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv2DOp(s, in[0], dilateKernel(s, in[1], [2]int{3, 2}, [2]int{2, 2}), in[2], [2]int{1, 1}, "valid")
			}},
		{"conv1d_dilated_causal", []gradcheck.Param{p("x", 2, 7, 3), p("k", 3, 3, 2), p("b", 2)}, []int64{2, 7, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return dilatedConv1DOp(s, in[0], in[1], in[2], 3, 1, 2, "causal")
			}},
		{"conv1d_transpose_s2_same", []gradcheck.Param{p("x", 2, 4, 3), p("k", 3, 2, 3), p("b", 2)}, []int64{2, 8, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv1DTransposeOp(s, in[0], in[1], in[2], Shape{8, 2}, 2, "same")
			}},
		{"conv1d_transpose_s3_valid", []gradcheck.Param{p("x", 2, 3, 2), p("k", 2, 3, 2)}, []int64{2, 9, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv1DTransposeOp(s, in[0], in[1], tf.Output{}, Shape{9, 3}, 3, "valid")
			}},
		{"zero_padding2d", []gradcheck.Param{p("x", 2, 3, 4, 2)}, []int64{2, 7, 6, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewZeroPadding2D("zero_padding2d", SymmetricPadding(2, 1)), Shape{3, 4, 2}, in[0])
			}},
		{"zero_padding2d_asymmetric", []gradcheck.Param{p("x", 2, 3, 4, 2)}, []int64{2, 5, 8, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewZeroPadding2D("zero_padding2d", [2][2]int{{2, 0}, {1, 3}}), Shape{3, 4, 2}, in[0])
			}},
		{"cropping2d", []gradcheck.Param{p("x", 2, 5, 6, 2)}, []int64{2, 3, 2, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewCropping2D("cropping2d", SymmetricPadding(1, 2)), Shape{5, 6, 2}, in[0])
			}},
		{"cropping2d_asymmetric", []gradcheck.Param{p("x", 2, 5, 6, 2)}, []int64{2, 2, 3, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewCropping2D("cropping2d", [2][2]int{{1, 2}, {0, 3}}), Shape{5, 6, 2}, in[0])
			}},
		{"global_max_pooling2d", []gradcheck.Param{p("x", 2, 3, 4, 2)}, []int64{2, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return buildCall(s, NewGlobalMaxPooling2D("g"), Shape{3, 4, 2}, in[0])
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

// buildCall builds l for inputs of shape in and calls it on x in training mode.
func buildCall(s *graphs.Scope, l Layer, in Shape, x tf.Output) tf.Output {
	if _, err := l.Build(s, in); err != nil {
		s.Fail("%v", err)
		return x
	}
	return l.Call(x, true)
}

// Conv2D's and SeparableConv2D's bias gradient is BiasAddGrad unless autotuning measured
// the Sum form faster (graphs.Scope.Conv2DBias; a fake timer makes it win here), and in
// bfloat16 always a Sum (TensorFlow's BiasAddGrad sums bfloat16 in bfloat16); either way
// it equals the float32 BiasAddGrad of the same dy, in bfloat16 to its rounding.
func TestConv2DBiasGradient(t *testing.T) {
	sumWins := func(c graphs.Candidate) (time.Duration, error) {
		if c.Form == graphs.FormSum {
			return time.Millisecond, nil
		}
		return 2 * time.Millisecond, nil
	}
	layers := []struct {
		name string
		call func(s *graphs.Scope, x, b tf.Output, vals func(...int32) tf.Output) tf.Output
	}{
		{"Conv2D", func(s *graphs.Scope, x, b tf.Output, vals func(...int32) tf.Output) tf.Output {
			return conv2DOp(s, x, vals(3, 3, 3, 4), b, [2]int{2, 2}, "same")
		}},
		{"SeparableConv2D", func(s *graphs.Scope, x, b tf.Output, vals func(...int32) tf.Output) tf.Output {
			return separableConv2DOp(s, x, vals(3, 3, 3, 1), vals(1, 1, 3, 4), b, [2]int{2, 2}, "same")
		}},
	}
	for _, l := range layers {
		for _, dt := range []tf.DataType{tf.Float, tf.Bfloat16} {
			for _, tuned := range []bool{false, true} {
				name := l.name + "_" + graphs.DTypeName(dt)
				if tuned {
					name += "_sum_measured_faster"
				}
				t.Run(name, func(t *testing.T) {
					g := graphs.NewGraph(tf.Float, 3)
					if tuned {
						g.SetAutotune(&graphs.Autotune{Measure: sumWins})
					}
					s := g.Root()
					rng := rand.New(rand.NewPCG(3, 9))
					vals := func(shape ...int32) tf.Output {
						n := int32(1)
						for _, d := range shape {
							n *= d
						}
						v := make([]float32, n)
						for i := range v {
							v[i] = float32(rng.NormFloat64())
						}
						return s.CastTo(op.Reshape(s.Op("Reshape"), s.Const(v), s.Const(shape)), dt)
					}
					x := vals(2, 6, 6, 3)
					b := vals(4)
					y := l.call(s, x, b, vals)
					r := vals(2, 3, 3, 4) // dy
					loss := op.Sum(s.Op("loss"), s.CastTo(op.Mul(s.Op("Mul"), y, r), tf.Float), s.Const([]int32{0, 1, 2, 3}))
					grads, err := s.Gradients(loss, []tf.Output{b})
					if err != nil {
						t.Fatal(err)
					}
					var biasAddGrads int
					for _, o := range g.TF().Operations() {
						if o.Type() == "BiasAddGrad" {
							biasAddGrads++
						}
					}
					want := 1
					if tuned || dt == tf.Bfloat16 {
						want = 0
					}
					if biasAddGrads != want {
						t.Errorf("%d BiasAddGrad ops, want %d", biasAddGrads, want)
					}
					ref := op.BiasAddGrad(s.Op("ref"), s.CastTo(r, tf.Float))
					sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
					if err != nil {
						t.Fatal(err)
					}
					defer sess.Close()
					out, err := sess.Run(nil, []tf.Output{s.CastTo(grads[0], tf.Float), s.CastTo(ref, tf.Float)})
					if err != nil {
						t.Fatal(err)
					}
					got, exp := graphs.Value(out[0]).([]float32), graphs.Value(out[1]).([]float32)
					tol := 1e-5
					if dt == tf.Bfloat16 {
						tol = 1.0 / 64
					}
					for i := range exp {
						if d := math.Abs(float64(got[i] - exp[i])); d > tol*max(1, math.Abs(float64(exp[i]))) {
							t.Errorf("bias gradient[%d] %v, BiasAddGrad %v", i, got[i], exp[i])
						}
					}
				})
			}
		}
	}
}

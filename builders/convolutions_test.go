package builders

import (
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

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

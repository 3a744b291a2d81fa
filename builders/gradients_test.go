package builders

import (
	"math/rand/v2"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// Every op composite the models use, checked against central finite differences in
// float64 (float32 where the kernel exists only for it).
func TestGradientsNumeric(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	p := func(name string, scale float64, shape ...int64) gradcheck.Param {
		return gradcheck.Random(name, rng, scale, shape...)
	}
	f32 := gradcheck.Options{DType: tf.Float, Step: 1e-2, RelTol: 2e-2, AbsTol: 2e-3}
	cases := []struct {
		name   string
		params []gradcheck.Param
		out    []int64
		build  func(s *graphs.Scope, in []tf.Output) tf.Output
		opts   gradcheck.Options
	}{
		{"dense", []gradcheck.Param{p("x", 1, 4, 3), p("w", 1, 3, 2), p("b", 1, 2)}, []int64{4, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output { return denseOp(s, in[0], in[1], in[2]) }, gradcheck.Options{}},
		{"dense_sigmoid", []gradcheck.Param{p("x", 1, 4, 3), p("w", 1, 3, 2), p("b", 1, 2)}, []int64{4, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return activate(s, "sigmoid", denseOp(s, in[0], in[1], in[2]))
			}, gradcheck.Options{}},
		{"relu_tanh_softmax", []gradcheck.Param{p("x", 1, 3, 4)}, []int64{3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return activate(s, "softmax", activate(s, "tanh", activate(s, "relu", in[0])))
			}, gradcheck.Options{}},
		{"leaky_relu", []gradcheck.Param{p("x", 1, 3, 4)}, []int64{3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return op.LeakyRelu(s.Op("LeakyRelu"), in[0], op.LeakyReluAlpha(0.2))
			}, gradcheck.Options{}},
		{"leaky_relu_layer", []gradcheck.Param{p("x", 1, 3, 4)}, []int64{3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output { return leakyReLUOp(s, in[0], 0.3) }, gradcheck.Options{}},
		// In bfloat16 the gradient is tfrun's own kernel (graphs/activationkernel). Inputs at
		// least 0.3 from the kink and a step of 0.25 keep bfloat16's rounding (2⁻⁹ relative)
		// small beside the difference; the function is linear on each side.
		{"leaky_relu_own_kernel_bfloat16", []gradcheck.Param{{Name: "x", Shape: []int64{3, 4},
			Values: []float64{0.9, -0.6, 1.7, -2.3, 0.35, -0.45, 3.1, -1.1, 0.55, -0.8, 2.2, -3.4}}}, []int64{3, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				bf := s.WithDType(tf.Bfloat16)
				return s.CastTo(leakyReLUOp(bf, bf.CastTo(in[0], tf.Bfloat16), 0.2), tf.Float)
			}, gradcheck.Options{DType: tf.Float, Step: 0.25, RelTol: 3e-2, AbsTol: 1e-2}},
		// ELU and SELU in bfloat16 go through tfrun's own EluGrad and SeluGrad kernels. On the
		// curved negative side the step's truncation (h²/6 relative) and bfloat16's rounding
		// of outputs near −1 (2⁻⁸ over 2h) allow 2e-2 absolute; a kernel that dropped the
		// factor would be off by about 1.
		{"elu_selu_own_kernels_bfloat16", []gradcheck.Param{{Name: "x", Shape: []int64{2, 6},
			Values: []float64{0.9, -0.6, 1.7, -2.3, 0.35, -0.45, 3.1, -1.1, 0.55, -0.8, 2.2, -3.4}}}, []int64{2, 6},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				bf := s.WithDType(tf.Bfloat16)
				x := bf.CastTo(in[0], tf.Bfloat16)
				return s.CastTo(op.AddV2(s.Op("AddV2"), eluCore(bf, x), seluOp(bf, x)), tf.Float)
			}, gradcheck.Options{DType: tf.Float, Step: 0.25, RelTol: 5e-2, AbsTol: 2e-2}},
		{"conv2d_leaky_relu", []gradcheck.Param{p("x", 1, 1, 4, 4, 2), p("k", 1, 3, 3, 2, 3), p("b", 1, 3)}, []int64{1, 2, 2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return leakyReLUOp(s, conv2DOp(s, in[0], in[1], in[2], [2]int{2, 2}, "same"), 0.2)
			}, gradcheck.Options{}},
		{"dense_rank3_layer", []gradcheck.Param{p("x", 1, 3, 1, 5)}, []int64{3, 1, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				d := NewDense("dense", 4, "")
				if _, err := d.Build(s, Shape{1, 5}); err != nil {
					s.Fail("%v", err)
				}
				return d.Call(in[0], true) // kernel and bias are variables; x is checked
			}, gradcheck.Options{}},
		{"concatenate_channels", []gradcheck.Param{p("a", 1, 2, 3, 3, 2), p("b", 1, 2, 3, 3, 1)}, []int64{2, 3, 3, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return op.ConcatV2(s.Op("ConcatV2"), []tf.Output{in[0], in[1]}, s.Const(int32(-1)))
			}, gradcheck.Options{}},
		{"embedding", []gradcheck.Param{p("table", 1, 6, 3)}, []int64{2, 4, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return embeddingLookup(s, in[0], s.Const([][]int32{{0, 5, 2, 2}, {1, 0, 3, 5}}))
			}, gradcheck.Options{}},
		{"lstm_unrolled", []gradcheck.Param{p("x", 1, 2, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmOp(s, in[0], in[1], in[2], in[3], 3, 3, false, false)
			},
			gradcheck.Options{}},
		{"lstm_fused", []gradcheck.Param{p("x", 1, 2, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmOp(s, in[0], in[1], in[2], in[3], 3, 3, false, true)
			},
			f32},
		{"lstm_unrolled_float32", []gradcheck.Param{p("x", 1, 2, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmOp(s, in[0], in[1], in[2], in[3], 3, 3, false, false)
			},
			f32},
		{"lstm_cell_kernel", []gradcheck.Param{p("x", 1, 2, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmKernelOp(s, in[0], in[1], in[2], in[3], 3, 3, false)
			},
			f32},
		{"lstm_cell_kernel_sequences", []gradcheck.Param{p("x", 1, 2, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{2, 3, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmKernelOp(s, in[0], in[1], in[2], in[3], 3, 3, true)
			},
			f32},
		// An odd batch: halves of 2 and 1 rows.
		{"lstm_cell_kernel_split", []gradcheck.Param{p("x", 1, 3, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{3, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmKernelSplitOp(s, in[0], in[1], in[2], in[3], 3, 3, false)
			},
			f32},
		{"lstm_cell_kernel_split_sequences", []gradcheck.Param{p("x", 1, 3, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{3, 3, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmKernelSplitOp(s, in[0], in[1], in[2], in[3], 3, 3, true)
			},
			f32},
		// A batch of one: the second half is empty.
		{"lstm_cell_kernel_split_batch_1", []gradcheck.Param{p("x", 1, 1, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{1, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmKernelSplitOp(s, in[0], in[1], in[2], in[3], 3, 3, false)
			},
			f32},
		{"lstm_unrolled_sequences", []gradcheck.Param{p("x", 1, 2, 3, 2), p("k", 0.5, 2, 12), p("r", 0.5, 3, 12), p("b", 0.5, 12)}, []int64{2, 3, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return lstmOp(s, in[0], in[1], in[2], in[3], 3, 3, true, false)
			},
			gradcheck.Options{}},
		{"conv1d_valid", []gradcheck.Param{p("x", 1, 2, 7, 3), p("k", 1, 3, 3, 2), p("b", 1, 2)}, []int64{2, 5, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv1DOp(s, in[0], in[1], in[2], 3, 1, "valid")
			},
			gradcheck.Options{}},
		{"conv1d_same_strided", []gradcheck.Param{p("x", 1, 2, 7, 3), p("k", 1, 3, 3, 2), p("b", 1, 2)}, []int64{2, 4, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output { return conv1DOp(s, in[0], in[1], in[2], 3, 2, "same") },
			gradcheck.Options{}},
		{"max_pooling1d", []gradcheck.Param{p("x", 1, 2, 8, 3)}, []int64{2, 2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output { return maxPool1DOp(s, in[0], 4, 4, "valid") },
			gradcheck.Options{}},
		{"dropout_masked", []gradcheck.Param{p("x", 1, 3, 5)}, []int64{3, 5},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				u := s.Const([][]float64{{0.1, 0.5, 0.9, 0.3, 0.7}, {0.6, 0.2, 0.8, 0.4, 0.05}, {0.95, 0.45, 0.35, 0.65, 0.55}})
				return dropoutOp(s, in[0], u, 0.4)
			}, gradcheck.Options{}},
		// In float32 the mask is tfrun's own kernel's (graphs/dropoutkernel), drawn once per
		// step: the same mask for every evaluation of the check.
		{"dropout_own_kernel", []gradcheck.Param{p("x", 1, 3, 5)}, []int64{3, 5},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return dropout(s, in[0], op.Shape(s.Op("Shape"), in[0]), 0.4)
			}, gradcheck.Options{DType: tf.Float, Step: 1e-2, RelTol: 2e-2, AbsTol: 1e-3}},
		{"conv2d_same_s2", []gradcheck.Param{p("x", 1, 2, 5, 5, 2), p("k", 1, 3, 3, 2, 3), p("b", 1, 3)}, []int64{2, 3, 3, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv2DOp(s, in[0], in[1], in[2], [2]int{2, 2}, "same")
			}, gradcheck.Options{}},
		{"conv2d_valid", []gradcheck.Param{p("x", 1, 1, 6, 5, 2), p("k", 1, 3, 2, 2, 2), p("b", 1, 2)}, []int64{1, 4, 4, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv2DOp(s, in[0], in[1], in[2], [2]int{1, 1}, "valid")
			}, gradcheck.Options{}},
		{"conv2d_transpose_same_s2", []gradcheck.Param{p("x", 1, 2, 3, 3, 2), p("k", 1, 5, 5, 3, 2), p("b", 1, 3)}, []int64{2, 6, 6, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv2DTransposeOp(s, in[0], in[1], in[2], Shape{6, 6, 3}, [2]int{2, 2}, "same")
			}, gradcheck.Options{}},
		{"conv2d_transpose_same_s1_nobias", []gradcheck.Param{p("x", 1, 1, 4, 4, 3), p("k", 1, 3, 3, 2, 3)}, []int64{1, 4, 4, 2},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return conv2DTransposeOp(s, in[0], in[1], tf.Output{}, Shape{4, 4, 2}, [2]int{1, 1}, "same")
			}, gradcheck.Options{}},
		{"batch_norm_train_4d", []gradcheck.Param{p("x", 2, 3, 2, 2, 3), p("gamma", 1, 3), p("beta", 1, 3)}, []int64{3, 2, 2, 3},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				y, _, _ := batchNormTrainOp(s, in[0], in[1], in[2], 1e-3, false)
				return y
			}, gradcheck.Options{DType: tf.Float, Step: 1e-2, RelTol: 3e-2, AbsTol: 3e-3}},
		{"batch_norm_train_flat", []gradcheck.Param{p("x", 2, 6, 4), p("gamma", 1, 4), p("beta", 1, 4)}, []int64{6, 4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				y, _, _ := batchNormTrainOp(s, in[0], in[1], in[2], 1e-3, true)
				return y
			}, gradcheck.Options{DType: tf.Float, Step: 1e-2, RelTol: 3e-2, AbsTol: 3e-3}},
		{"sparse_softmax_cross_entropy", []gradcheck.Param{p("logits", 3, 4, 5)}, []int64{4},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return SparseSoftmaxCrossEntropy(s, in[0], s.Const([]float64{0, 4, 2, 2}), 5)
			}, gradcheck.Options{}},
		{"sigmoid_cross_entropy", []gradcheck.Param{p("logits", 4, 6)}, []int64{6},
			func(s *graphs.Scope, in []tf.Output) tf.Output {
				return SigmoidCrossEntropy(s, in[0], s.Const([]float64{0, 1, 1, 0, 1, 0}))
			}, gradcheck.Options{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := gradcheck.Check(tc.params, func(s *graphs.Scope, in []tf.Output) tf.Output {
				return gradcheck.Project(s, tc.build(s, in), tc.out, 11)
			}, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

// embeddingLookup is the Embedding's lookup on a table given as a tensor (a gradient
// check's parameter) rather than a variable: GatherV2 along axis 0, as graphs.Scope.Gather.
func embeddingLookup(s *graphs.Scope, table, ids tf.Output) tf.Output {
	return op.GatherV2(s.Op("GatherV2"), table, ids, s.Const(int32(0)))
}

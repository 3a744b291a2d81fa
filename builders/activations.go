package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/activationkernel"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// Activations are Keras's activation names tfrun knows (configs.Activations, which a test
// keeps equal).
var Activations = []string{"elu", "exponential", "gelu", "gelu_approximate", "hard_sigmoid", "leaky_relu",
	"linear", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus",
	"softsign", "swish", "tanh"}

// checkActivation reports an unknown activation name.
func checkActivation(name string) error {
	if name == "" {
		return nil
	}
	for _, a := range Activations {
		if a == name {
			return nil
		}
	}
	return fmt.Errorf("unknown activation %q (valid: %v)", name, Activations)
}

// activate applies a Keras activation ("" and "linear" are the identity), as Keras 3's
// TensorFlow backend computes it (keras/src/backend/tensorflow/nn.py), with ops TensorFlow's
// C++ gradient registry differentiates:
//
//   - elu, selu, relu6, softsign, softplus, exponential, log_softmax (last axis): the
//     TensorFlow op of that name (Elu, Selu, Relu6, Softsign, Softplus, Exp, LogSoftmax;
//     in bfloat16 and float16, Elu's and Selu's gradients are built from vectorized ops,
//     see eluCore and seluOp);
//   - gelu: 0.5·x·(1 + erf(x/√2)), Keras's default approximate=False (Hendrycks and
//     Gimpel 2016); gelu_approximate: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
//     tf.nn.gelu's approximate=True with x³ as x·x·x;
//   - silu and its alias swish: x·sigmoid(x) (Ramachandran et al. 2017);
//   - hard_sigmoid: relu6(x + 3)/6, Keras 3's (Keras 2's was clip(0.2·x + 0.5, 0, 1));
//   - mish: x·tanh(softplus(x)) (Misra 2019).
//
// Keras's leaky_relu activation uses negative_slope 0.2, through leakyReLUOp like the
// LeakyReLU layer: Conv2D(activation: leaky_relu) and Conv2D then Activation(leaky_relu)
// are the Conv2D+BiasAdd+LeakyRelu that TensorFlow's remapper fuses (see leakyReLUOp).
func activate(s *graphs.Scope, name string, x tf.Output) tf.Output {
	switch name {
	case "", "linear":
		return x
	case "relu":
		return op.Relu(s.Op("Relu"), x)
	case "sigmoid":
		return op.Sigmoid(s.Op("Sigmoid"), x)
	case "tanh":
		return op.Tanh(s.Op("Tanh"), x)
	case "softmax":
		return op.Softmax(s.Op("Softmax"), x)
	case "leaky_relu":
		return leakyReLUOp(s, x, 0.2)
	case "elu":
		return eluCore(s, x)
	case "selu":
		return seluOp(s, x)
	case "relu6":
		return op.Relu6(s.Op("Relu6"), x)
	case "softsign":
		return op.Softsign(s.Op("Softsign"), x)
	case "softplus":
		return rawOp(s, "Softplus", x)
	case "exponential":
		return op.Exp(s.Op("Exp"), x)
	case "log_softmax":
		return logSoftmaxOp(s, x)
	case "gelu":
		return geluOp(s, x, false)
	case "gelu_approximate":
		return geluOp(s, x, true)
	case "silu", "swish":
		return op.Mul(s.Op("Mul"), x, op.Sigmoid(s.Op("Sigmoid"), x))
	case "hard_sigmoid":
		return op.Div(s.Op("Div"), op.Relu6(s.Op("Relu6"), op.AddV2(s.Op("AddV2"), x, s.Scalar(3))), s.Scalar(6))
	case "mish":
		return op.Mul(s.Op("Mul"), x, op.Tanh(s.Op("Tanh"), rawOp(s, "Softplus", x)))
	}
	s.Fail("unknown activation %q", name)
	return x
}

// logSoftmaxOp is LogSoftmax over the last axis, on a 2-D view of x: TensorFlow 2.18's
// C++ gradient of LogSoftmax (tensorflow/cc/gradients/nn_grad.cc) sums the incoming
// gradient over axis 1, not the last axis, so on a [batch, time, features] input it is
// wrong (a finite-difference check of the direct op fails by 2%); on [batch·time,
// features] axis 1 is the last.
func logSoftmaxOp(s *graphs.Scope, x tf.Output) tf.Output {
	rank := 0
	if s.Ok(x) {
		rank = x.Shape().NumDimensions()
	}
	if rank <= 2 { // 2, or unknown (-1)
		return op.LogSoftmax(s.Op("LogSoftmax"), x)
	}
	last := op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), x), s.Const([]int32{int32(rank - 1)}), s.Const([]int32{1}))
	flat := op.Reshape(s.Op("Reshape"), x, op.ConcatV2(s.Op("ConcatV2"), []tf.Output{s.Const([]int32{-1}), last}, s.Const(int32(0))))
	return op.Reshape(s.Op("Reshape"), op.LogSoftmax(s.Op("LogSoftmax"), flat), op.Shape(s.Op("Shape"), x))
}

// geluOp is tf.nn.gelu: exact (0.5·x·(1 + erf(x/√2))) or its tanh approximation.
func geluOp(s *graphs.Scope, x tf.Output, approximate bool) tf.Output {
	half := op.Mul(s.Op("Mul"), s.Scalar(0.5), x)
	if !approximate {
		erf := op.Erf(s.Op("Erf"), op.Div(s.Op("Div"), x, s.Scalar(1.4142135623730951)))
		return op.Mul(s.Op("Mul"), half, op.AddV2(s.Op("AddV2"), s.Scalar(1), erf))
	}
	cube := op.Mul(s.Op("Mul"), x, op.Mul(s.Op("Mul"), x, x))
	inner := op.Mul(s.Op("Mul"), s.Scalar(0.7978845608028654), op.AddV2(s.Op("AddV2"), x, op.Mul(s.Op("Mul"), s.Scalar(0.044715), cube)))
	return op.Mul(s.Op("Mul"), half, op.AddV2(s.Op("AddV2"), s.Scalar(1), op.Tanh(s.Op("Tanh"), inner)))
}

// leakyReLUOp is LeakyRelu whose gradient reads the op's output rather than its input
// (LeakyReluGrad(dy, y): for a positive slope y has x's sign, so the gradient is the same
// bit for bit). The registry's gradient reads the input, which then feeds both LeakyRelu
// and LeakyReluGrad. With oneDNN on (TF_ENABLE_ONEDNN_OPTS=1, TensorFlow's default on
// recent Intel CPUs) TensorFlow 2.18's grappler remapper first fuses Conv2D+BiasAdd into
// a _FusedConv2D, then, in its second pass, folds the LeakyRelu into it ("Fuse
// _FusedConv2D and LeakyRelu") without checking that LeakyReluGrad still reads it, and
// fails ("remapper failed: … fanout 'LeakyReluGrad' exist for missing node
// '…/BiasAdd'"): the graph then runs without that pass's fusions. With the gradient on
// the output, Conv2D+BiasAdd+LeakyRelu is fused in one valid step. (Dense's
// MatMul+BiasAdd+LeakyRelu is not fused, and a bias added with AddV2, as Keras 3 does,
// is not either; both go this way all the same.)
func leakyReLUOp(s *graphs.Scope, x tf.Output, slope float64) tf.Output {
	if slope <= 0 {
		return op.LeakyRelu(s.Op("LeakyRelu"), x, op.LeakyReluAlpha(float32(slope)))
	}
	return gradFromOutput(s, "LeakyRelu", x,
		func(cs *graphs.Scope, x tf.Output) tf.Output {
			return op.LeakyRelu(cs.Op("LeakyRelu"), x, op.LeakyReluAlpha(float32(slope)))
		},
		func(gs *graphs.Scope, dy, y tf.Output) tf.Output { return leakyReLUGrad(gs, dy, y, slope) })
}

// gradFromOutput is the element-wise op f(x), named name, whose gradient is grad(dy, y)
// of its output y = f(x) (TensorFlow's own kernels LeakyReluGrad, EluGrad and SeluGrad
// read the output too).
func gradFromOutput(s *graphs.Scope, name string, x tf.Output, f func(s *graphs.Scope, x tf.Output) tf.Output, grad func(s *graphs.Scope, dy, y tf.Output) tf.Output) tf.Output {
	var y tf.Output
	return s.CustomGradient(name, []tf.Output{x},
		func(cs *graphs.Scope, in []tf.Output) []tf.Output {
			y = f(cs, in[0])
			return []tf.Output{y}
		},
		func(gs *graphs.Scope, d []tf.Output) []tf.Output {
			return []tf.Output{grad(gs, d[0], y)}
		})[0]
}

// leakyReLUGrad is LeakyReluGrad(dy, y) for 0 < slope, with tfrun's own kernel in
// bfloat16 and float16 where it may be used (see graphs.Scope.LeakyReluGrad).
func leakyReLUGrad(s *graphs.Scope, dy, y tf.Output, slope float64) tf.Output {
	return s.LeakyReluGrad(dy, y, slope, ownActivationKernel())
}

// ownActivationKernel reports whether the gradients of LeakyReLU, ELU and SELU in bfloat16
// and float16 may come from tfrun's own kernels: unless lstmkernel.EnvVar turns tfrun's
// kernels off by name, once the kernels are registered.
func ownActivationKernel() bool {
	return !lstmkernel.Disabled() && activationkernel.Register() == nil
}

// halfType reports whether dt is bfloat16 or float16, the types in which TensorFlow 2.18's
// CPU kernels of LeakyReluGrad, EluGrad and SeluGrad (an Eigen select on a comparison) do
// not vectorize: on [256,14,14,64] with one thread on an AVX512_BF16 Zen 5, EluGrad and
// SeluGrad took 16–18 ms in bfloat16 against 0.8–1.2 ms in float32 (#26).
func halfType(dt tf.DataType) bool { return dt == tf.Bfloat16 || dt == tf.Half }

// halfConst is v rounded to float32 and then to dt, as TensorFlow's kernels round their
// constants (static_cast<T> of a double goes through float in Eigen's bfloat16 and half).
func halfConst(s *graphs.Scope, v float64, dt tf.DataType) tf.Output {
	return s.CastTo(s.Const(float32(v)), dt)
}

// eluCore is the Elu op. In bfloat16 and float16 its gradient is eluGrad, from the op's
// output like TensorFlow's EluGrad; in float32 and float64 it is the registry's EluGrad.
func eluCore(s *graphs.Scope, x tf.Output) tf.Output {
	if !s.Ok(x) || !halfType(x.DataType()) {
		return op.Elu(s.Op("Elu"), x)
	}
	return gradFromOutput(s, "Elu", x, func(cs *graphs.Scope, x tf.Output) tf.Output { return op.Elu(cs.Op("Elu"), x) }, eluGrad)
}

// eluGrad is EluGrad(dy, y) in bfloat16 or float16, whose kernel computes
// y < 0 ? (y + 1)·dy : dy, rounding y + 1 and then the product to the dtype. Where y < 0,
// y + 1 < 1 rounds to at most 1; elsewhere it rounds to at least 1. So the factor is
// min(y + 1, 1), and dy times it makes the kernel's two roundings, bit for bit
// (TestActivationGradHalfTypes, TestEluSeluGradKernels), in three vectorized ops: 2.6 ms
// against EluGrad's 16–17 in bfloat16 on [256,14,14,64] with one thread (6.4 against 13.4 in
// float16, with two). Only a NaN y, from a NaN input, differs: NaN here, dy in the kernel.
//
// With tfrun's own kernels (ownActivationKernel, on a CPU) it is one TfrunEluGrad op
// instead: the kernel's result bit for bit, NaN included, in one pass (0.7 ms on that
// shape in bfloat16, 3.4 in float16; go test -bench HalfGrads ./graphs/activationkernel).
func eluGrad(s *graphs.Scope, dy, y tf.Output) tf.Output {
	if ownActivationKernel() && !s.Graph().Platform().GPU() {
		return s.OwnOp(graphs.OpEluGrad, dy, y)
	}
	one := halfConst(s, 1, y.DataType())
	return op.Mul(s.Op("Mul"), dy, op.Minimum(s.Op("Minimum"), op.AddV2(s.Op("AddV2"), y, one), one))
}

// SELU's constants as TensorFlow's Selu and SeluGrad kernels write them
// (tensorflow/core/kernels/relu_op_functor.h).
const (
	seluScale      = 1.0507009873554804934193349852946
	seluScaleAlpha = 1.7580993408473768599402175208123
)

// seluOp is the Selu op. In bfloat16 and float16 its gradient is seluGrad, from the op's
// output like TensorFlow's SeluGrad; in float32 and float64 it is the registry's SeluGrad.
func seluOp(s *graphs.Scope, x tf.Output) tf.Output {
	if !s.Ok(x) || !halfType(x.DataType()) {
		return op.Selu(s.Op("Selu"), x)
	}
	return gradFromOutput(s, "Selu", x, func(cs *graphs.Scope, x tf.Output) tf.Output { return op.Selu(cs.Op("Selu"), x) }, seluGrad)
}

// seluGrad is SeluGrad(dy, y) in bfloat16 or float16, whose kernel computes
// y < 0 ? dy·(y + scale·alpha) : dy·scale with both constants rounded to the dtype and
// y + scale·alpha rounded before the product. The factor is min(y + scale·alpha, c) with
// c = max(−2·sign(y), scale): where y < 0, c is 2, above any rounding of y + scale·alpha
// (< 1.7581); elsewhere c is scale, below y + scale·alpha. dy times the factor is the
// kernel's result bit for bit (TestActivationGradHalfTypes, TestEluSeluGradKernels), in six
// vectorized ops: 4.6–4.8 ms against SeluGrad's 17–18 in bfloat16 on [256,14,14,64] with one
// thread (11.5 against 15.8 in float16, with two). Only a NaN y, from a NaN input,
// differs: NaN here, dy·scale in the kernel.
//
// With tfrun's own kernels (ownActivationKernel, on a CPU) it is one TfrunSeluGrad op
// instead, the kernel's result bit for bit, NaN included (0.8 ms on that shape in
// bfloat16, 3.4 in float16).
func seluGrad(s *graphs.Scope, dy, y tf.Output) tf.Output {
	dt := y.DataType()
	if ownActivationKernel() && !s.Graph().Platform().GPU() {
		return s.OwnOp(graphs.OpSeluGrad, dy, y, halfConst(s, seluScale, dt), halfConst(s, seluScaleAlpha, dt))
	}
	sign := op.Sign(s.Op("Sign"), y)
	c := op.Maximum(s.Op("Maximum"), op.Mul(s.Op("Mul"), sign, halfConst(s, -2, dt)), halfConst(s, seluScale, dt))
	factor := op.Minimum(s.Op("Minimum"), op.AddV2(s.Op("AddV2"), y, halfConst(s, seluScaleAlpha, dt)), c)
	return op.Mul(s.Op("Mul"), dy, factor)
}

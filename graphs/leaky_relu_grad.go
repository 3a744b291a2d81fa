package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// OpLeakyReluGrad is the op type of tfrun's own LeakyReLU gradient kernel for bfloat16 and
// float16 (package graphs/activationkernel registers it with TensorFlow).
const OpLeakyReluGrad = "TfrunLeakyReluGrad"

// LeakyReluGrad is TensorFlow's LeakyReluGrad(dy, y) with slope alpha > 0: dy where y > 0,
// else dy·alpha, y being LeakyReLU's output (for a positive slope it has its input's
// sign).
//
// In bfloat16 and float16 TensorFlow 2.18's CPU kernel (an Eigen select on a comparison)
// does not vectorize: on [256,14,14,64] it took 17 ms in bfloat16 against 2 ms in float32
// on an AVX512_BF16 Zen 5, and the 9 of a dcgan_mnist step were a fifth of the
// mixed_bfloat16 step (docs/results/dcgan_profile_zen5.md). There, on a CPU:
//   - with ownKernel (the caller has registered package graphs/activationkernel), it is one
//     TfrunLeakyReluGrad op, the same values bit for bit in one vectorized pass;
//   - otherwise, for alpha ≤ 1, dy·max(sign(y), alpha): sign(y) is 1 where y > 0 and 0 or
//     −1 elsewhere, so the factor is 1 or alpha rounded to the type (as LeakyReluGrad rounds
//     it), and the product is the kernel's one rounding, bit for bit, in three vectorized
//     element-wise ops.
//
// float32, float64, alpha > 1 without the kernel, and GPUs keep TensorFlow's op.
func (s *Scope) LeakyReluGrad(dy, y tf.Output, alpha float64, ownKernel bool) tf.Output {
	dt := y.DataType()
	if (dt != tf.Bfloat16 && dt != tf.Half) || s.g.platform.GPU() {
		return op.LeakyReluGrad(s.Op("LeakyReluGrad"), dy, y, op.LeakyReluGradAlpha(float32(alpha)))
	}
	// alpha in the 16-bit type, rounded from float32 as the kernel rounds its attribute.
	a := s.CastTo(s.Const(float32(alpha)), dt)
	if ownKernel {
		return s.OwnOp(OpLeakyReluGrad, dy, y, a)
	}
	if alpha <= 1 {
		return op.Mul(s.Op("Mul"), dy, op.Maximum(s.Op("Maximum"), op.Sign(s.Op("Sign"), y), a))
	}
	return op.LeakyReluGrad(s.Op("LeakyReluGrad"), dy, y, op.LeakyReluGradAlpha(float32(alpha)))
}

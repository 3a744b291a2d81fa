package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// BiasAdd is value + bias over value's last axis (TensorFlow's BiasAdd, NHWC), for the
// layers' biases. In bfloat16 and float16 on a CPU it is AddV2 with bias broadcast, as
// Keras 3's layers add their biases, whose gradient for the bias is a Sum of the output
// gradient over the other axes; elsewhere it is BiasAdd, whose gradient is BiasAddGrad.
//
// The reason is TensorFlow 2.18's CPU BiasAddGrad, which sums 16-bit values in their own
// precision: over a bfloat16 [256,14,14,64] of ones it returns 512 for 50,176 (at 512 a
// bfloat16 step is 4, and adding 1 rounds back), and over normal values of mean 0.3 its
// sums were 73–90% off on the DCGAN discriminators' conv shapes, and up to 4% off on a Dense layer
// at batch 256. Sum accumulates in float32 and rounds once: every one of those sums came
// out as the exact sum rounded to bfloat16 (docs/results/bf16_bias_gradient.md). Sum was
// also faster there: 0.65 ms against 1.26 on [256,14,14,64]; AddV2 runs the forward
// 10–15% slower than BiasAdd.
//
// A Conv2D's bias keeps BiasAdd forward, so that grappler still fuses it into the
// convolution, with a Sum for its gradient (Conv2DBias, FormSum).
func (s *Scope) BiasAdd(value, bias tf.Output) tf.Output {
	if !s.Ok(value, bias) {
		return tf.Output{}
	}
	if sumsIn16Bits(s.g.platform, value.DataType()) {
		return op.AddV2(s.Op("BiasAdd"), value, bias)
	}
	return op.BiasAdd(s.Op("BiasAdd"), value, bias)
}

// sumsIn16Bits reports whether TensorFlow's BiasAddGrad for dtype sums in 16 bits on this
// platform: bfloat16 or float16 on a CPU (BiasAdd).
func sumsIn16Bits(p Platform, dtype tf.DataType) bool {
	return (dtype == tf.Bfloat16 || dtype == tf.Half) && !p.GPU()
}

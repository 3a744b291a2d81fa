package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerBatchNormalization, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		b := NewBatchNormalization(name)
		b.Momentum, b.Epsilon, b.Center, b.Scale = c.Float("momentum"), c.Float("epsilon"), c.Bool("center"), c.Bool("scale")
		b.Synchronized = c.Bool("synchronized")
		return b, nil
	})
}

// Keras's BatchNormalization defaults.
const (
	BatchNormMomentum = 0.99
	BatchNormEpsilon  = 1e-3
)

// BatchNormalization is Keras's BatchNormalization over the last axis:
// γ·(x − μ)/√(σ² + ε) + β, shape unchanged. In training μ and σ² are the batch's
// statistics and the moving ones are updated as Keras does, m ← m·momentum + μ·(1 − momentum)
// with the biased batch variance; in inference, and always when frozen (trainable =
// False, as Keras 3 does), the moving statistics are used and never updated. Weights
// "gamma" (ones), "beta" (zeros), "moving_mean" (zeros) and "moving_variance" (ones), the
// last two not trainable. Computed with TensorFlow's FusedBatchNormV3 (float32 statistics,
// x and y in the layer's compute type), or, when synchronized, from the sums of x and x²
// (batch_normalization_sync.go).
type BatchNormalization struct {
	base
	Momentum, Epsilon float64
	Center, Scale     bool
	// Synchronized is Keras's synchronized argument (default false); see
	// batch_normalization_sync.go for what it does in one process and on a cluster.
	Synchronized bool

	in                      Shape
	gamma, beta, mean, vari *graphs.Variable
	updates                 []*tf.Operation
}

// NewBatchNormalization returns a BatchNormalization layer with Keras's defaults.
func NewBatchNormalization(name string) *BatchNormalization {
	return &BatchNormalization{base: base{name: name}, Momentum: BatchNormMomentum, Epsilon: BatchNormEpsilon, Center: true, Scale: true}
}

func (b *BatchNormalization) Type() string { return "BatchNormalization" }

func (b *BatchNormalization) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 1 && len(in) != 3 {
		return nil, shapeError(b, in, "(None, features) or (None, height, width, channels)")
	}
	b.begin(s)
	b.in = in
	c := []int64{int64(in[len(in)-1])}
	if b.Scale {
		b.gamma = b.variable("gamma", c, graphs.Ones{}, true)
	}
	if b.Center {
		b.beta = b.variable("beta", c, graphs.Zeros{}, true)
	}
	b.mean = b.variable("moving_mean", c, graphs.Zeros{}, false)
	b.vari = b.variable("moving_variance", c, graphs.Ones{}, false)
	return in, nil
}

// Updates are the moving-statistics assignments of every training Call so far, chained in
// call order; the training step must run them.
func (b *BatchNormalization) Updates() []*tf.Operation { return b.updates }

// Under a mixed policy x comes in bfloat16 and y goes out in bfloat16, as Keras 3's
// layer returns it, while the statistics, γ, β and the moving averages are float32:
// FusedBatchNormV3 takes a bfloat16 x with float32 scale, offset and statistics and
// computes in float32 inside, as Keras casts x up to compute them. Keras's cast up and
// back down as separate ops (and a float32 kernel between them) gave the same y and x
// gradient bit for bit on the DCGANs' shapes at 2.5–3× the time (Zen 5, oneDNN on;
// docs/results/dcgan_profile_zen5.md). The synchronized form sums x and x² in float32.
func (b *BatchNormalization) Call(x tf.Output, training bool) tf.Output {
	s := b.scope
	vs := s.WithDType(s.Graph().DType()) // the statistics' type
	c := int64(b.in[len(b.in)-1])
	gamma, beta := b.constOr(b.gamma, 1, c), b.constOr(b.beta, 0, c)
	if !training || s.IsFrozen() { // Keras 3: batch statistics only when training and trainable
		return batchNormInferenceOp(s, x, gamma, beta, b.mean.Value(), b.vari.Value(), b.Epsilon, len(b.in) == 1)
	}
	var y, mean, vari tf.Output
	if b.Synchronized || s.Graph().IsReplica() {
		in := x
		y, mean, vari = batchNormSyncOp(vs, vs.CastTo(x, vs.DType()), gamma, beta, b.Epsilon)
		if s.Ok(in) {
			y = s.CastTo(y, in.DataType())
		}
	} else {
		y, mean, vari = batchNormTrainOp(s, x, gamma, beta, b.Epsilon, len(b.in) == 1)
	}
	m := vs.Scalar(b.Momentum)
	one := vs.Scalar(1 - b.Momentum)
	// A second training call (a GAN's discriminator sees real, then generated images)
	// updates the statistics the first one left, as Keras's two calls do in sequence.
	oldMean, oldVar := b.mean.Value(), b.vari.Value()
	if len(b.updates) > 0 {
		after := s.WithControlDependencies(b.updates...)
		oldMean = op.ReadVariableOp(after.Op("ReadVariableOp"), b.mean.Handle(), b.mean.DType)
		oldVar = op.ReadVariableOp(after.Op("ReadVariableOp"), b.vari.Handle(), b.vari.DType)
	}
	newMean := op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), oldMean, m), op.Mul(s.Op("Mul"), mean, one))
	newVar := op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), oldVar, m), op.Mul(s.Op("Mul"), vari, one))
	b.updates = append(b.updates,
		op.AssignVariableOp(s.Op("AssignVariableOp"), b.mean.Handle(), newMean),
		op.AssignVariableOp(s.Op("AssignVariableOp"), b.vari.Handle(), newVar))
	return y
}

func (b *BatchNormalization) constOr(v *graphs.Variable, value float64, n int64) tf.Output {
	if v != nil {
		return v.Value()
	}
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(value)
	}
	return b.scope.Const(vals)
}

// to4D reshapes [N, C] to [N, 1, 1, C] for the fused kernel.
func to4D(s *graphs.Scope, x tf.Output) tf.Output {
	if !s.Ok(x) {
		return x
	}
	return op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1, 1, 1, int32(x.Shape().Size(1))}))
}

// batchNormTrainOp normalises x with its batch statistics (FusedBatchNormV3, is_training)
// and returns y, the batch mean and the biased batch variance (Keras's moments).
func batchNormTrainOp(s *graphs.Scope, x, gamma, beta tf.Output, eps float64, flat bool) (y, mean, variance tf.Output) {
	x4 := x
	if flat {
		x4 = to4D(s, x)
	}
	empty := s.Const([]float32{})
	y, mean, unbiased, _, _, _ := op.FusedBatchNormV3(s.Op("FusedBatchNormV3"), x4, gamma, beta, empty, empty,
		op.FusedBatchNormV3Epsilon(float32(eps)), op.FusedBatchNormV3IsTraining(true))
	// The kernel reports the Bessel-corrected variance; Keras moves the biased one.
	shape := op.Shape(s.Op("Shape"), x4)
	n := op.Cast(s.Op("Cast"), op.Prod(s.Op("Prod"), op.StridedSlice(s.Op("StridedSlice"), shape, s.Const([]int32{0}), s.Const([]int32{3}), s.Const([]int32{1})), s.Const(int32(0))), tf.Float)
	variance = op.Mul(s.Op("Mul"), unbiased, op.Div(s.Op("Div"), op.Sub(s.Op("Sub"), n, s.Const(float32(1))), n))
	if flat && s.Ok(x) {
		y = op.Reshape(s.Op("Reshape"), y, s.Const([]int32{-1, int32(x.Shape().Size(1))}))
	}
	return y, mean, variance
}

// batchNormInferenceOp normalises x with given statistics.
func batchNormInferenceOp(s *graphs.Scope, x, gamma, beta, mean, variance tf.Output, eps float64, flat bool) tf.Output {
	x4 := x
	if flat {
		x4 = to4D(s, x)
	}
	y, _, _, _, _, _ := op.FusedBatchNormV3(s.Op("FusedBatchNormV3"), x4, gamma, beta, mean, variance,
		op.FusedBatchNormV3Epsilon(float32(eps)), op.FusedBatchNormV3IsTraining(false))
	if flat && s.Ok(x) {
		y = op.Reshape(s.Op("Reshape"), y, s.Const([]int32{-1, int32(x.Shape().Size(1))}))
	}
	return y
}

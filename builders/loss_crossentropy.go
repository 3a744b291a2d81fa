package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Keras's crossentropies (keras/src/losses/losses.py and backend/tensorflow/nn.py): from
// the logits of a final sigmoid or softmax (or from_logits=True) in TensorFlow's stable
// forms, else from probabilities clipped to [ε, 1 − ε].
func init() {
	registerLoss(configs.LossBinaryCrossentropy, func(c configs.Loss) LossFunc {
		return func(s *graphs.Scope, in LossInput) tf.Output {
			y := smoothBinary(s, sameRank(s, in.YTrue, in.YPred), c.LabelSmoothing)
			return lastAxisMean(s, binaryCrossentropy(s, in, y, c.FromLogits))
		}
	})
	registerLoss(configs.LossBinaryFocalCrossentropy, func(c configs.Loss) LossFunc {
		return func(s *graphs.Scope, in LossInput) tf.Output { return binaryFocalCrossentropy(s, in, c) }
	})
	registerLoss(configs.LossCategoricalCrossentropy, func(c configs.Loss) LossFunc {
		return func(s *graphs.Scope, in LossInput) tf.Output { return categoricalCrossentropy(s, in, c) }
	})
	registerLoss(configs.LossSparseCategoricalCrossentropy, func(c configs.Loss) LossFunc {
		return func(s *graphs.Scope, in LossInput) tf.Output {
			classes := int(in.YPred.Shape().Size(in.YPred.Shape().NumDimensions() - 1))
			if logits, ok := in.logitsOf("softmax", c.FromLogits); ok {
				return SparseSoftmaxCrossEntropy(s, logits, in.YTrue, classes)
			}
			// Keras: log of the clipped probabilities, then softmax crossentropy on them.
			return SparseSoftmaxCrossEntropy(s, op.Log(s.Op("Log"), clip(s, in.YPred, kerasEpsilon, 1-kerasEpsilon)), in.YTrue, classes)
		}
	})
	registerLoss(configs.LossKLDivergence, func(configs.Loss) LossFunc {
		return func(s *graphs.Scope, in LossInput) tf.Output { return KLDivergence(s, in.YTrue, in.YPred) }
	})
}

// SigmoidCrossEntropy is the elementwise binary cross-entropy of labels z given logits x,
// in the stable form max(x, 0) − x·z + log1p(exp(−|x|)) (TensorFlow's
// sigmoid_cross_entropy_with_logits). Keras computes binary_crossentropy this way whenever
// the predictions come straight from a sigmoid, as they do here.
func SigmoidCrossEntropy(s *graphs.Scope, logits, labels tf.Output) tf.Output {
	relu := op.Maximum(s.Op("Maximum"), logits, op.ZerosLike(s.Op("ZerosLike"), logits))
	xz := op.Mul(s.Op("Mul"), logits, labels)
	soft := op.Log1p(s.Op("Log1p"), op.Exp(s.Op("Exp"), op.Neg(s.Op("Neg"), op.Abs(s.Op("Abs"), logits))))
	return op.AddV2(s.Op("AddV2"), op.Sub(s.Op("Sub"), relu, xz), soft)
}

// SparseSoftmaxCrossEntropy is the elementwise categorical cross-entropy of integer class
// labels (float32 [batch], as fed) given logits [batch, classes]: −log softmax(logits)[label],
// computed stably as −Σ onehot(label)·log_softmax(logits). Keras computes
// sparse_categorical_crossentropy this way when the predictions come from a softmax.
func SparseSoftmaxCrossEntropy(s *graphs.Scope, logits, labels tf.Output, classes int) tf.Output {
	ids := op.Cast(s.Op("Cast"), labels, tf.Int32)
	onehot := op.OneHot(s.Op("OneHot"), ids, s.Const(int32(classes)), s.Scalar(1), s.Scalar(0))
	logp := op.LogSoftmax(s.Op("LogSoftmax"), logits)
	return op.Neg(s.Op("Neg"), op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), onehot, logp), s.Const([]int32{1})))
}

// smoothBinary is binary label smoothing: y·(1 − α) + α/2 (α = 0: y itself).
func smoothBinary(s *graphs.Scope, y tf.Output, alpha float64) tf.Output {
	if alpha == 0 {
		return y
	}
	return op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), y, s.Scalar(1-alpha)), s.Scalar(0.5*alpha))
}

// binaryCrossentropy is the elementwise binary crossentropy of labels y (Keras's
// backend binary_crossentropy): from logits when there are some, else
// −(y·log p + (1 − y)·log(1 − p)) with p clipped to [ε, 1 − ε].
func binaryCrossentropy(s *graphs.Scope, in LossInput, y tf.Output, fromLogits bool) tf.Output {
	if logits, ok := in.logitsOf("sigmoid", fromLogits); ok {
		return SigmoidCrossEntropy(s, logits, y)
	}
	return clippedBinaryCrossentropy(s, y, in.YPred)
}

// clippedBinaryCrossentropy is −(y·log p + (1 − y)·log(1 − p)), p clipped to [ε, 1 − ε].
func clippedBinaryCrossentropy(s *graphs.Scope, y, p tf.Output) tf.Output {
	one := s.Scalar(1)
	p = clip(s, p, kerasEpsilon, 1-kerasEpsilon)
	pos := op.Mul(s.Op("Mul"), y, op.Log(s.Op("Log"), p))
	neg := op.Mul(s.Op("Mul"), op.Sub(s.Op("Sub"), one, y), op.Log(s.Op("Log"), op.Sub(s.Op("Sub"), one, p)))
	return op.Neg(s.Op("Neg"), op.AddV2(s.Op("AddV2"), pos, neg))
}

// binaryFocalCrossentropy is keras.losses.binary_focal_crossentropy per example: the
// binary crossentropy times (1 − pₜ)^γ, pₜ = y·p + (1 − y)·(1 − p), and with
// apply_class_balancing times α for class 1 and 1 − α for class 0.
func binaryFocalCrossentropy(s *graphs.Scope, in LossInput, c configs.Loss) tf.Output {
	one := s.Scalar(1)
	y := smoothBinary(s, sameRank(s, in.YTrue, in.YPred), c.LabelSmoothing)
	p := in.YPred
	var bce tf.Output
	switch {
	case c.FromLogits: // Keras applies the sigmoid to y_pred itself (even to a sigmoid's output)
		p = op.Sigmoid(s.Op("Sigmoid"), in.YPred)
		bce = SigmoidCrossEntropy(s, in.YPred, y)
	case in.Activation == "sigmoid" && in.Logits.Op != nil:
		bce = SigmoidCrossEntropy(s, in.Logits, y)
	default:
		bce = clippedBinaryCrossentropy(s, y, p)
	}
	notY := op.Sub(s.Op("Sub"), one, y)
	pt := op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), y, p), op.Mul(s.Op("Mul"), notY, op.Sub(s.Op("Sub"), one, p)))
	focal := op.Mul(s.Op("Mul"), op.Pow(s.Op("Pow"), op.Sub(s.Op("Sub"), one, pt), s.Scalar(c.Gamma)), bce)
	if c.ApplyClassBalancing {
		w := op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), y, s.Scalar(c.Alpha)), op.Mul(s.Op("Mul"), notY, s.Scalar(1-c.Alpha)))
		focal = op.Mul(s.Op("Mul"), w, focal)
	}
	return lastAxisMean(s, focal)
}

// categoricalCrossentropy is keras.losses.categorical_crossentropy per example, labels
// one-hot [batch, k] smoothed to y·(1 − α) + α/k: −Σ y·log_softmax(logits) from logits,
// else −Σ y·log p with p the predictions normalised to sum 1 and clipped to [ε, 1 − ε].
func categoricalCrossentropy(s *graphs.Scope, in LossInput, c configs.Loss) tf.Output {
	y := in.YTrue
	if c.LabelSmoothing != 0 {
		var k tf.Output
		if n := y.Shape().Size(y.Shape().NumDimensions() - 1); n > 0 {
			k = s.Scalar(float64(n))
		} else { // the class axis's length at run time
			last := op.Sub(s.Op("Sub"), op.Rank(s.Op("Rank"), y), s.Const(int32(1)))
			k = op.Cast(s.Op("Cast"), op.Gather(s.Op("Gather"), op.Shape(s.Op("Shape"), y), last), y.DataType())
		}
		y = op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), y, s.Scalar(1-c.LabelSmoothing)), op.RealDiv(s.Op("RealDiv"), s.Scalar(c.LabelSmoothing), k))
	}
	var logp tf.Output
	if logits, ok := in.logitsOf("softmax", c.FromLogits); ok {
		logp = op.LogSoftmax(s.Op("LogSoftmax"), logits)
	} else {
		p := op.RealDiv(s.Op("RealDiv"), in.YPred, lastAxisSum(s, in.YPred, true))
		logp = op.Log(s.Op("Log"), clip(s, p, kerasEpsilon, 1-kerasEpsilon))
	}
	return op.Neg(s.Op("Neg"), lastAxisSum(s, op.Mul(s.Op("Mul"), y, logp), false))
}

// KLDivergence is Σ y·log(y / ŷ) over the last axis, both clipped to [ε, 1]
// (keras.losses.kl_divergence).
func KLDivergence(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	y = clip(s, y, kerasEpsilon, 1)
	yHat = clip(s, yHat, kerasEpsilon, 1)
	return lastAxisSum(s, op.Mul(s.Op("Mul"), y, op.Log(s.Op("Log"), op.RealDiv(s.Op("RealDiv"), y, yHat))), false)
}

package builders

import (
	"math"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Keras's regression losses (keras/src/losses/losses.py), each the mean over the last
// axis of an elementwise error of targets y and predictions ŷ, both [batch, k].
func init() {
	registerLoss(configs.LossMeanSquaredError, func(configs.Loss) LossFunc { return regression(MeanSquaredError) })
	registerLoss(configs.LossMeanAbsoluteError, func(configs.Loss) LossFunc { return regression(MeanAbsoluteError) })
	registerLoss(configs.LossMeanAbsolutePercentageError, func(configs.Loss) LossFunc { return regression(MeanAbsolutePercentageError) })
	registerLoss(configs.LossMeanSquaredLogarithmicError, func(configs.Loss) LossFunc { return regression(MeanSquaredLogarithmicError) })
	registerLoss(configs.LossHuber, func(c configs.Loss) LossFunc {
		return regression(func(s *graphs.Scope, y, yHat tf.Output) tf.Output { return Huber(s, y, yHat, c.Delta) })
	})
	registerLoss(configs.LossLogCosh, func(configs.Loss) LossFunc { return regression(LogCosh) })
	registerLoss(configs.LossPoisson, func(configs.Loss) LossFunc { return regression(Poisson) })
	registerLoss(configs.LossCosineSimilarity, func(configs.Loss) LossFunc { return regression(CosineSimilarity) })
}

// regression adapts an elementwise loss f(y, ŷ) → [batch] to a LossFunc, the labels
// brought to the predictions' rank first.
func regression(f func(s *graphs.Scope, y, yHat tf.Output) tf.Output) LossFunc {
	return func(s *graphs.Scope, in LossInput) tf.Output {
		return f(s, sameRank(s, in.YTrue, in.YPred), in.YPred)
	}
}

// MeanSquaredError is mean((y − ŷ)²) over the last axis (keras.losses.mean_squared_error).
func MeanSquaredError(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	return lastAxisMean(s, op.Square(s.Op("Square"), op.Sub(s.Op("Sub"), y, yHat)))
}

// MeanAbsoluteError is mean(|y − ŷ|) over the last axis (keras.losses.mean_absolute_error).
func MeanAbsoluteError(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	return lastAxisMean(s, op.Abs(s.Op("Abs"), op.Sub(s.Op("Sub"), y, yHat)))
}

// MeanAbsolutePercentageError is 100·mean(|y − ŷ| / max(|y|, ε)) over the last axis
// (keras.losses.mean_absolute_percentage_error).
func MeanAbsolutePercentageError(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	den := op.Maximum(s.Op("Maximum"), op.Abs(s.Op("Abs"), y), s.Scalar(kerasEpsilon))
	diff := op.Abs(s.Op("Abs"), op.RealDiv(s.Op("RealDiv"), op.Sub(s.Op("Sub"), y, yHat), den))
	return op.Mul(s.Op("Mul"), s.Scalar(100), lastAxisMean(s, diff))
}

// MeanSquaredLogarithmicError is mean((log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))²) over the
// last axis (keras.losses.mean_squared_logarithmic_error).
func MeanSquaredLogarithmicError(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	logp1 := func(x tf.Output) tf.Output {
		return op.Log(s.Op("Log"), op.AddV2(s.Op("AddV2"), op.Maximum(s.Op("Maximum"), x, s.Scalar(kerasEpsilon)), s.Scalar(1)))
	}
	return lastAxisMean(s, op.Square(s.Op("Square"), op.Sub(s.Op("Sub"), logp1(yHat), logp1(y))))
}

// Huber is the mean over the last axis of ½e² where |e| ≤ δ and δ|e| − ½δ² beyond, with
// e = ŷ − y (keras.losses.huber).
func Huber(s *graphs.Scope, y, yHat tf.Output, delta float64) tf.Output {
	e := op.Sub(s.Op("Sub"), yHat, y)
	abs := op.Abs(s.Op("Abs"), e)
	d := s.Scalar(delta)
	quad := op.Mul(s.Op("Mul"), s.Scalar(0.5), op.Square(s.Op("Square"), e))
	lin := op.Sub(s.Op("Sub"), op.Mul(s.Op("Mul"), d, abs), s.Scalar(0.5*delta*delta))
	in := op.LessEqual(s.Op("LessEqual"), abs, d)
	return lastAxisMean(s, rawOp(s, "SelectV2", in, quad, lin))
}

// LogCosh is mean(log cosh(ŷ − y)) over the last axis, computed as Keras does,
// x + softplus(−2x) − log 2 (keras.losses.log_cosh).
func LogCosh(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	x := op.Sub(s.Op("Sub"), yHat, y)
	sp := rawOp(s, "Softplus", op.Mul(s.Op("Mul"), x, s.Scalar(-2)))
	return lastAxisMean(s, op.Sub(s.Op("Sub"), op.AddV2(s.Op("AddV2"), x, sp), s.Scalar(math.Ln2)))
}

// Poisson is mean(ŷ − y·log(ŷ + ε)) over the last axis (keras.losses.poisson).
func Poisson(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	logp := op.Log(s.Op("Log"), op.AddV2(s.Op("AddV2"), yHat, s.Scalar(kerasEpsilon)))
	return lastAxisMean(s, op.Sub(s.Op("Sub"), yHat, op.Mul(s.Op("Mul"), y, logp)))
}

// CosineSimilarity is −Σ normalize(y)·normalize(ŷ) over the last axis, each vector scaled
// by min(1/‖x‖, 1/ε) as Keras's normalize does (keras.losses.cosine_similarity).
func CosineSimilarity(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	norm := func(x tf.Output) tf.Output {
		inv := op.Rsqrt(s.Op("Rsqrt"), lastAxisSum(s, op.Square(s.Op("Square"), x), true))
		return op.Mul(s.Op("Mul"), x, op.Minimum(s.Op("Minimum"), inv, s.Scalar(1/kerasEpsilon)))
	}
	return op.Neg(s.Op("Neg"), lastAxisSum(s, op.Mul(s.Op("Mul"), norm(y), norm(yHat)), false))
}

package builders

import (
	"math"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// ConfusionCounts are one batch's counts of Keras's confusion-matrix metrics (AUC,
// Precision, Recall) at each of thresholds, as a vector [TP…, FP…, positives, negatives]
// (metrics.ConfusionFromVector reads it; summed over batches it is the metric's state):
// a prediction p (a probability, any shape) above a threshold counts as positive, a label
// other than 0 as a positive label. Evenly spaced thresholds from −ε to 1+ε (AUC's,
// metrics.AUCThresholds) are counted as Keras counts them, by bucketing
// max(⌈clip(p, 0, 1)·(n−1)⌉ − 1, 0) and a reversed cumulative sum
// (_update_confusion_matrix_variables_optimized); others by comparing p > threshold.
func ConfusionCounts(s *graphs.Scope, p, labels tf.Output, thresholds []float64) tf.Output {
	return WeightedConfusionCounts(s, p, labels, thresholds, tf.Output{})
}

// WeightedConfusionCounts are ConfusionCounts with each example counted by its weight
// (Keras's confusion metrics' sample_weight): weights has one value per element of p
// (one per example of a (batch, 1) output); the zero Output counts each as 1.
func WeightedConfusionCounts(s *graphs.Scope, p, labels tf.Output, thresholds []float64, weights tf.Output) tf.Output {
	dt := s.Graph().DType()
	flat := func(x tf.Output) tf.Output { return op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1})) }
	p, labels = flat(p), flat(labels)
	isTrue := op.Cast(s.Op("Cast"), op.NotEqual(s.Op("NotEqual"), labels, op.ZerosLike(s.Op("ZerosLike"), labels)), dt)
	isFalse := op.Sub(s.Op("Sub"), s.Scalar(1), isTrue)
	if weights.Op != nil {
		w := flat(weights)
		isTrue, isFalse = op.Mul(s.Op("Mul"), isTrue, w), op.Mul(s.Op("Mul"), isFalse, w)
	}
	n := len(thresholds)
	var tp, fp tf.Output
	if evenFromEpsilon(thresholds) {
		clipped := op.ClipByValue(s.Op("ClipByValue"), p, s.Scalar(0), s.Scalar(1))
		bucket := op.Sub(s.Op("Sub"), op.Ceil(s.Op("Ceil"), op.Mul(s.Op("Mul"), clipped, s.Scalar(float64(n-1)))), s.Scalar(1))
		bucket = op.Cast(s.Op("Cast"), op.Maximum(s.Op("Maximum"), bucket, s.Scalar(0)), tf.Int32)
		segments := s.Const(int32(n))
		reverse := op.CumsumReverse(true)
		tp = op.Cumsum(s.Op("Cumsum"), op.UnsortedSegmentSum(s.Op("UnsortedSegmentSum"), isTrue, bucket, segments), s.Const(int32(0)), reverse)
		fp = op.Cumsum(s.Op("Cumsum"), op.UnsortedSegmentSum(s.Op("UnsortedSegmentSum"), isFalse, bucket, segments), s.Const(int32(0)), reverse)
	} else {
		ts := make([]float32, n)
		for i, t := range thresholds {
			ts[i] = float32(t)
		}
		th := op.Cast(s.Op("Cast"), s.Const([][]float32{ts}), dt)
		above := op.Cast(s.Op("Cast"), op.Greater(s.Op("Greater"), op.Reshape(s.Op("Reshape"), p, s.Const([]int32{-1, 1})), th), dt) // [batch, n]
		count := func(weights tf.Output) tf.Output {
			w := op.Reshape(s.Op("Reshape"), weights, s.Const([]int32{-1, 1}))
			return op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), above, w), s.Const([]int32{0}))
		}
		tp, fp = count(isTrue), count(isFalse)
	}
	axis := s.Const([]int32{0})
	one := s.Const([]int32{1})
	pos := op.Reshape(s.Op("Reshape"), op.Sum(s.Op("Sum"), isTrue, axis), one)
	neg := op.Reshape(s.Op("Reshape"), op.Sum(s.Op("Sum"), isFalse, axis), one)
	return op.ConcatV2(s.Op("ConcatV2"), []tf.Output{tp, fp, pos, neg}, s.Const(int32(0)))
}

// evenFromEpsilon reports thresholds like AUC's: at least 3, evenly spaced by 1/(n−1)
// inside, the ends below 0 and above 1.
func evenFromEpsilon(t []float64) bool {
	n := len(t)
	if n < 3 || t[0] >= 0 || t[n-1] <= 1 {
		return false
	}
	for i := 1; i < n-1; i++ {
		if math.Abs(t[i]-float64(i)/float64(n-1)) > 1e-7 {
			return false
		}
	}
	return true
}

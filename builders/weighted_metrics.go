package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Keras's weighted_metrics: a metric's per-example values v (Keras's MeanMetricWrapper
// reduces each example's values to one, reduce_to_samplewise_values) averaged with the
// examples' sample weights w, Σ w·v / Σ w over the epoch (keras.metrics.Mean with
// sample_weight; 0 when Σ w is 0, divide_no_nan). A batch yields the additive counts
// [Σ w·v, Σ w]; the epoch's value comes from their sums, as for the stateful metrics.

// WeightedMeanCounts are one batch's counts of a weighted mean, [2]: Σ w·v and Σ w, for
// per-example values v [batch] and weights w [batch].
func WeightedMeanCounts(s *graphs.Scope, v, w tf.Output) tf.Output {
	return op.Pack(s.Op("Pack"), []tf.Output{Sum(s, op.Mul(s.Op("Mul"), v, w)), Sum(s, w)})
}

// WeightedMeanValue is a weighted mean from WeightedMeanCounts summed over batches.
func WeightedMeanValue(counts []float64) (float64, error) {
	if len(counts) != 2 {
		return 0, fmt.Errorf("weighted mean: %d counts, want 2", len(counts))
	}
	if counts[1] == 0 {
		return 0, nil // Keras's divide_no_nan
	}
	return counts[0] / counts[1], nil
}

// SparseCategoricalMatches is 1 where a row of p has its largest entry at the class id
// (float [batch]) and 0 elsewhere: sparse_categorical_accuracy per example.
func SparseCategoricalMatches(s *graphs.Scope, p, ids tf.Output) tf.Output {
	pred := op.Cast(s.Op("Cast"), op.ArgMax(s.Op("ArgMax"), p, s.Const(int32(-1))), s.Graph().DType())
	return op.Cast(s.Op("Cast"), op.Equal(s.Op("Equal"), pred, ids), s.Graph().DType())
}

// BinaryMatches is binary_accuracy per example: the fraction of an example's outputs on
// the same side of 0.5 as its labels (p and labels [batch, k]), [batch].
func BinaryMatches(s *graphs.Scope, p, labels tf.Output) tf.Output {
	pred := op.Cast(s.Op("Cast"), op.Greater(s.Op("Greater"), p, s.Scalar(0.5)), s.Graph().DType())
	return lastAxisMean(s, op.Cast(s.Op("Cast"), op.Equal(s.Op("Equal"), pred, labels), s.Graph().DType()))
}

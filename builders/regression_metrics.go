package builders

import (
	"fmt"
	"math"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Keras's regression metrics. mean_squared_error and mean_absolute_error are batch means
// (Keras's MeanMetricWrapper, whose epoch value is the batch-size-weighted mean of them);
// root_mean_squared_error and r2_score are stateful: a batch yields additive counts, the
// epoch's value comes from their sums (RootMeanSquaredError is √(Σe²/n) over the epoch,
// not a mean of batch roots; R2Score is computed from the epoch's sums).

// SquaredErrorCounts are a batch's counts for root_mean_squared_error, [2]: Σ(ŷ − y)²
// over every element, and the number of elements (keras.metrics.RootMeanSquaredError's
// total and count).
func SquaredErrorCounts(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	sq := op.Square(s.Op("Square"), op.Sub(s.Op("Sub"), yHat, y))
	n := op.Cast(s.Op("Cast"), op.Size(s.Op("Size"), sq), sq.DataType())
	return op.Pack(s.Op("Pack"), []tf.Output{Sum(s, sq), n})
}

// RootMeanSquaredErrorValue is root_mean_squared_error from SquaredErrorCounts summed over
// batches.
func RootMeanSquaredErrorValue(counts []float64) (float64, error) {
	if len(counts) != 2 {
		return 0, fmt.Errorf("root_mean_squared_error: %d counts, want 2", len(counts))
	}
	if counts[1] == 0 {
		return 0, nil // Keras's divide_no_nan
	}
	return math.Sqrt(counts[0] / counts[1]), nil
}

// R2Counts are a batch's counts for r2_score of targets y and predictions ŷ, [batch, k]:
// four vectors of k (per output column), concatenated: the number of examples, Σy, Σy²
// and Σ(y − ŷ)² (keras.metrics.R2Score's count, sum, squared_sum and total_mse).
func R2Counts(s *graphs.Scope, y, yHat tf.Output) tf.Output {
	col := func(x tf.Output) tf.Output { return op.Sum(s.Op("Sum"), x, s.Const(int32(0))) }
	return op.ConcatV2(s.Op("ConcatV2"), []tf.Output{
		col(op.OnesLike(s.Op("OnesLike"), y)),
		col(y),
		col(op.Square(s.Op("Square"), y)),
		col(op.Square(s.Op("Square"), op.Sub(s.Op("Sub"), y, yHat))),
	}, s.Const(int32(0)))
}

// R2ScoreValue is keras.metrics.R2Score() (class_aggregation="uniform_average",
// num_regressors=0) from R2Counts summed over batches: per column
// 1 − Σ(y − ŷ)² / (Σy² − (Σy)²/n), 0 where that is infinite (constant targets), averaged
// over the columns.
func R2ScoreValue(counts []float64) (float64, error) {
	if len(counts) == 0 || len(counts)%4 != 0 {
		return 0, fmt.Errorf("r2_score: %d counts, want 4 per output", len(counts))
	}
	k := len(counts) / 4
	score := 0.0
	for j := range k {
		n, sum, sq, res := counts[j], counts[k+j], counts[2*k+j], counts[3*k+j]
		if n == 0 {
			return 0, fmt.Errorf("r2_score: no examples")
		}
		total := sq - sum*(sum/n)
		r := 1 - res/total
		if math.IsInf(r, 0) {
			r = 0
		}
		score += r
	}
	return score / float64(k), nil
}

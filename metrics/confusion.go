package metrics

import (
	"fmt"
)

// Keras's confusion-matrix metrics (keras/src/metrics/confusion_metrics.py) accumulate,
// over an epoch, at each of their thresholds, how many predictions above the threshold
// (counted as positive) are true or false positives; what they report is computed from
// those counts, never averaged over batches. Confusion holds the counts; the graph that
// makes them per batch is builders.ConfusionCounts.

// AUCThresholdCount is Keras's AUC num_thresholds default.
const AUCThresholdCount = 200

// kerasEpsilon is keras.backend.epsilon(), which moves AUC's end thresholds below 0 and
// above 1.
const kerasEpsilon = 1e-7

// DefaultThreshold is Keras's Precision and Recall threshold (thresholds=None).
const DefaultThreshold = 0.5

// AUCThresholds returns Keras's n AUC thresholds: −ε, 1/(n−1), …, (n−2)/(n−1), 1+ε
// (evenly spaced, the ends just outside [0, 1] so that predictions of exactly 0 and 1
// fall inside).
func AUCThresholds(n int) []float64 {
	out := make([]float64, n)
	out[0] = -kerasEpsilon
	for i := 1; i < n-1; i++ {
		out[i] = float64(i) / float64(n-1)
	}
	out[n-1] = 1 + kerasEpsilon
	return out
}

// Confusion is the state of a confusion-matrix metric: at each threshold the true and
// false positives, and the numbers of positive and negative labels (so
// FN = Positives − TP and TN = Negatives − FP).
type Confusion struct {
	TP, FP               []float64
	Positives, Negatives float64
}

// ConfusionLen is the length of the vector of n thresholds' counts.
func ConfusionLen(n int) int { return 2*n + 2 }

// ConfusionFromVector reads counts laid out as [TP…, FP…, positives, negatives] (what
// builders.ConfusionCounts gives and the training loop sums).
func ConfusionFromVector(v []float64) (Confusion, error) {
	if len(v) < 4 || len(v)%2 != 0 {
		return Confusion{}, fmt.Errorf("metrics: confusion counts of length %d, want 2·thresholds + 2", len(v))
	}
	n := (len(v) - 2) / 2
	return Confusion{TP: v[:n], FP: v[n : 2*n], Positives: v[2*n], Negatives: v[2*n+1]}, nil
}

// divideNoNaN is Keras's ops.divide_no_nan: 0 when the denominator is 0.
func divideNoNaN(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Precision is TP / (TP + FP) at threshold i (0 without positive predictions), Keras's
// Precision.result().
func (c Confusion) Precision(i int) float64 { return divideNoNaN(c.TP[i], c.TP[i]+c.FP[i]) }

// Recall is TP / (TP + FN) at threshold i (0 without positive labels), Keras's
// Recall.result().
func (c Confusion) Recall(i int) float64 { return divideNoNaN(c.TP[i], c.Positives) }

// ROCAUC is Keras's AUC.result() for curve="ROC", summation_method="interpolation":
// the area under the ROC curve through the thresholds' (false positive rate, recall)
// points, by the trapezoidal rule.
func (c Confusion) ROCAUC() float64 {
	n := len(c.TP)
	area := 0.0
	for i := 0; i+1 < n; i++ {
		x0, x1 := divideNoNaN(c.FP[i], c.Negatives), divideNoNaN(c.FP[i+1], c.Negatives)
		y0, y1 := divideNoNaN(c.TP[i], c.Positives), divideNoNaN(c.TP[i+1], c.Positives)
		area += (x0 - x1) * (y0 + y1) / 2
	}
	return area
}

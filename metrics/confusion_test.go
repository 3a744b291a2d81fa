package metrics

import (
	"math"
	"testing"
)

// counts is a plain reading of Keras's rule, for hand-made cases: a prediction above a
// threshold counts as positive.
func counts(thresholds, pred, labels []float64) Confusion {
	c := Confusion{TP: make([]float64, len(thresholds)), FP: make([]float64, len(thresholds))}
	for j, p := range pred {
		if labels[j] != 0 {
			c.Positives++
		} else {
			c.Negatives++
		}
		for i, th := range thresholds {
			if p > th && labels[j] != 0 {
				c.TP[i]++
			} else if p > th {
				c.FP[i]++
			}
		}
	}
	return c
}

func TestConfusionMetricsByHand(t *testing.T) {
	th := AUCThresholds(AUCThresholdCount)
	if th[0] >= 0 || th[len(th)-1] <= 1 || th[1] != 1.0/199 || len(th) != 200 {
		t.Fatalf("thresholds %v ... %v", th[:2], th[len(th)-1])
	}
	for _, tc := range []struct {
		name         string
		pred, labels []float64
		auc          float64
		prec, rec    float64
	}{
		{"separated", []float64{0.1, 0.2, 0.8, 0.9}, []float64{0, 0, 1, 1}, 1, 1, 1},
		{"reversed", []float64{0.9, 0.8, 0.2, 0.1}, []float64{0, 0, 1, 1}, 0, 0, 0},
		{"constant", []float64{0.5, 0.5, 0.5, 0.5}, []float64{0, 1, 0, 1}, 0.5, 0, 0},
		{"one positive prediction", []float64{0.1, 0.7, 0.3, 0.4}, []float64{1, 1, 0, 0}, 0.5, 1, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := counts(th, tc.pred, tc.labels)
			if got := c.ROCAUC(); math.Abs(got-tc.auc) > 1e-9 {
				t.Errorf("AUC %v, want %v", got, tc.auc)
			}
			h := counts([]float64{DefaultThreshold}, tc.pred, tc.labels)
			if got := h.Precision(0); got != tc.prec {
				t.Errorf("precision %v, want %v", got, tc.prec)
			}
			if got := h.Recall(0); got != tc.rec {
				t.Errorf("recall %v, want %v", got, tc.rec)
			}
		})
	}
	v := []float64{1, 2, 3, 4, 5, 6}
	c, err := ConfusionFromVector(v)
	if err != nil || c.TP[1] != 2 || c.FP[0] != 3 || c.Positives != 5 || c.Negatives != 6 {
		t.Errorf("ConfusionFromVector = %+v, %v", c, err)
	}
	if _, err := ConfusionFromVector(v[:5]); err == nil {
		t.Error("odd length accepted")
	}
}

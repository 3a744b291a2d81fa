package builders

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/metrics"
)

// ConfusionCounts summed over batches and finished by package metrics give Keras 3's
// running AUC, Precision and Recall (and BinaryAccuracy their batch-size-weighted mean)
// after each batch: testdata/keras_metrics.json, recorded by
// testdata/keras/make_metrics_golden.py on predictions that include 0, 1, 0.5 and a
// threshold exactly.
func TestConfusionCountsKeras(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Keras   string
		Batches []struct {
			YTrue   []float64 `json:"y_true"`
			YPred   []float64 `json:"y_pred"`
			Results map[string]float64
		}
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	p := s.Placeholder("p", tf.Float, -1, 1)
	y := s.Placeholder("y", tf.Float, -1, 1)
	auc := ConfusionCounts(s.Sub("auc"), p, y, metrics.AUCThresholds(metrics.AUCThresholdCount))
	half := ConfusionCounts(s.Sub("half"), p, y, []float64{metrics.DefaultThreshold})
	acc := BinaryAccuracy(s, p, y)
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	sumAUC := make([]float64, metrics.ConfusionLen(metrics.AUCThresholdCount))
	sumHalf := make([]float64, metrics.ConfusionLen(1))
	accSum, seen := 0.0, 0
	for b, batch := range golden.Batches {
		n := int64(len(batch.YTrue))
		pt, _ := graphs.NewTensor(float32s(batch.YPred), n, 1)
		yt, _ := graphs.NewTensor(float32s(batch.YTrue), n, 1)
		out, err := sess.Run(map[tf.Output]*tf.Tensor{p: pt, y: yt}, []tf.Output{auc, half, acc})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range graphs.Float64s(out[0]) {
			sumAUC[i] += v
		}
		for i, v := range graphs.Float64s(out[1]) {
			sumHalf[i] += v
		}
		accSum += float64(n) * graphs.Scalar64(out[2])
		seen += int(n)
		ca, _ := metrics.ConfusionFromVector(sumAUC)
		ch, _ := metrics.ConfusionFromVector(sumHalf)
		for name, got := range map[string]float64{"auc": ca.ROCAUC(), "precision": ch.Precision(0), "recall": ch.Recall(0),
			"binary_accuracy": accSum / float64(seen)} {
			if want := batch.Results[name]; math.Abs(got-want) > 1e-6 {
				t.Errorf("after batch %d: %s %.8f, Keras %.8f", b+1, name, got, want)
			}
		}
	}
}

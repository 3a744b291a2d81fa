package builders

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/metrics"
)

// Weighted metrics summed over batches as counts give Keras 3's metrics with
// sample_weight (weighted_metrics) over an epoch: testdata/keras_weighted_metrics.json,
// recorded by testdata/keras/make_weighted_metrics_golden.py with weights 0, 0.5, 1, 2.5.
func TestWeightedMetricsKeras(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_weighted_metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Keras   string
		Batches []struct {
			YTrue        []float64 `json:"y_true"`
			YPred        []float64 `json:"y_pred"`
			IDs          []float64 `json:"ids"`
			Probs        []float64 `json:"probs"`
			SampleWeight []float64 `json:"sample_weight"`
		}
		Results map[string]float64
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	p := s.Placeholder("p", tf.Float, -1, 1)
	y := s.Placeholder("y", tf.Float, -1, 1)
	ids := s.Placeholder("ids", tf.Float, -1)
	probs := s.Placeholder("probs", tf.Float, -1, 3)
	w := s.Placeholder("w", tf.Float, -1)
	onehot := op.OneHot(s.Op("OneHot"), op.Cast(s.Op("Cast"), ids, tf.Int32), s.Const(int32(3)), s.Scalar(1), s.Scalar(0))
	counts := map[string]tf.Output{
		"binary_accuracy":             WeightedMeanCounts(s.Sub("acc"), BinaryMatches(s.Sub("acc"), p, y), w),
		"auc":                         WeightedConfusionCounts(s.Sub("auc"), p, y, metrics.AUCThresholds(metrics.AUCThresholdCount), w),
		"half":                        WeightedConfusionCounts(s.Sub("half"), p, y, []float64{metrics.DefaultThreshold}, w),
		"mean_squared_error":          WeightedMeanCounts(s.Sub("mse"), MeanSquaredError(s.Sub("mse"), y, p), w),
		"mean_absolute_error":         WeightedMeanCounts(s.Sub("mae"), MeanAbsoluteError(s.Sub("mae"), y, p), w),
		"sparse_categorical_accuracy": WeightedMeanCounts(s.Sub("sca"), SparseCategoricalMatches(s.Sub("sca"), probs, ids), w),
		// categorical_accuracy on one-hot labels: the argmax of the one-hot row is the id
		"categorical_accuracy": WeightedMeanCounts(s.Sub("ca"), SparseCategoricalMatches(s.Sub("ca"), probs,
			op.Cast(s.Op("Cast"), op.ArgMax(s.Op("ArgMax"), onehot, s.Const(int32(-1))), tf.Float)), w),
	}
	names := make([]string, 0, len(counts))
	fetches := make([]tf.Output, 0, len(counts))
	for name, o := range counts {
		names, fetches = append(names, name), append(fetches, o)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	sums := map[string][]float64{}
	for _, b := range golden.Batches {
		n := int64(len(b.YTrue))
		feeds := map[tf.Output]*tf.Tensor{}
		for o, v := range map[tf.Output]struct {
			x     []float64
			shape []int64
		}{p: {b.YPred, []int64{n, 1}}, y: {b.YTrue, []int64{n, 1}}, ids: {b.IDs, []int64{n}}, probs: {b.Probs, []int64{n, 3}}, w: {b.SampleWeight, []int64{n}}} {
			if feeds[o], err = graphs.NewTensor(float32s(v.x), v.shape...); err != nil {
				t.Fatal(err)
			}
		}
		out, err := sess.Run(feeds, fetches)
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range names {
			v := graphs.Float64s(out[i])
			if sums[name] == nil {
				sums[name] = make([]float64, len(v))
			}
			for j, x := range v {
				sums[name][j] += x
			}
		}
	}
	auc, err := metrics.ConfusionFromVector(sums["auc"])
	if err != nil {
		t.Fatal(err)
	}
	half, err := metrics.ConfusionFromVector(sums["half"])
	if err != nil {
		t.Fatal(err)
	}
	mean := func(name string) float64 {
		v, err := WeightedMeanValue(sums[name])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	got := map[string]float64{
		"binary_accuracy": mean("binary_accuracy"), "auc": auc.ROCAUC(), "precision": half.Precision(0), "recall": half.Recall(0),
		"mean_squared_error": mean("mean_squared_error"), "mean_absolute_error": mean("mean_absolute_error"),
		"root_mean_squared_error":     math.Sqrt(mean("mean_squared_error")),
		"sparse_categorical_accuracy": mean("sparse_categorical_accuracy"), "categorical_accuracy": mean("categorical_accuracy"),
	}
	if len(got) != len(golden.Results) {
		t.Errorf("checked %d metrics, the golden file has %d", len(got), len(golden.Results))
	}
	for name, want := range golden.Results {
		if math.Abs(got[name]-want) > 1e-6 {
			t.Errorf("%s: %.8f, Keras %s %.8f", name, got[name], golden.Keras, want)
		}
	}
	if v, err := WeightedMeanValue([]float64{3, 0}); v != 0 || err != nil {
		t.Errorf("no weight: %v, %v; want 0 (divide_no_nan)", v, err)
	}
}

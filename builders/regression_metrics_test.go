package builders

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// The regression metrics over an epoch of batches match Keras's (testdata/keras_losses.json,
// its "metrics"): root_mean_squared_error and r2_score from the summed counts, mse and mae
// as batch means weighted by batch size, as the training loop and Evaluate combine them.
// Tolerance 1e-5 relative: float32 sums of ~20 elements, then float64.
func TestKerasRegressionMetricsGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_losses.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Metrics []struct {
			Width   int `json:"width"`
			Batches []struct {
				YTrue []float64 `json:"y_true"`
				YPred []float64 `json:"y_pred"`
			} `json:"batches"`
			Results map[string]float64 `json:"results"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Metrics) == 0 {
		t.Fatal("no metrics in testdata/keras_losses.json")
	}
	for _, mc := range doc.Metrics {
		g := graphs.NewGraph(tf.Float, 1)
		s := g.Root()
		w := int64(mc.Width)
		y := s.Placeholder("y", tf.Float, -1, w)
		p := s.Placeholder("p", tf.Float, -1, w)
		fetches := []tf.Output{
			SquaredErrorCounts(s, y, p), R2Counts(s, y, p),
			Mean(s, MeanSquaredError(s, y, p)), Mean(s, MeanAbsoluteError(s, y, p)),
		}
		sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
		if err != nil {
			t.Fatal(err)
		}
		rmse, r2 := make([]float64, 2), make([]float64, 4*mc.Width)
		var mse, mae, n float64
		for _, b := range mc.Batches {
			rows := int64(len(b.YTrue)) / w
			yt, _ := graphs.NewTensor(float32s(b.YTrue), rows, w)
			pt, _ := graphs.NewTensor(float32s(b.YPred), rows, w)
			out, err := sess.Run(map[tf.Output]*tf.Tensor{y: yt, p: pt}, fetches)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range graphs.Float64s(out[0]) {
				rmse[i] += v
			}
			for i, v := range graphs.Float64s(out[1]) {
				r2[i] += v
			}
			mse += float64(rows) * graphs.Scalar64(out[2])
			mae += float64(rows) * graphs.Scalar64(out[3])
			n += float64(rows)
		}
		sess.Close()
		gotRMSE, err := RootMeanSquaredErrorValue(rmse)
		if err != nil {
			t.Fatal(err)
		}
		gotR2, err := R2ScoreValue(r2)
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]float64{"root_mean_squared_error": gotRMSE, "r2_score": gotR2, "mean_squared_error": mse / n, "mean_absolute_error": mae / n} {
			want := mc.Results[name]
			if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("width %d: %s = %.8g, Keras %.8g", mc.Width, name, got, want)
			}
		}
	}
}

// Counts of the wrong length are errors; constant targets give R2Score's 0 (Keras turns
// the infinite score into 0).
func TestRegressionMetricValues(t *testing.T) {
	if _, err := RootMeanSquaredErrorValue([]float64{1}); err == nil {
		t.Error("RootMeanSquaredErrorValue of 1 count: no error")
	}
	if _, err := R2ScoreValue([]float64{1, 2, 3}); err == nil {
		t.Error("R2ScoreValue of 3 counts: no error")
	}
	if _, err := R2ScoreValue([]float64{0, 0, 0, 0}); err == nil {
		t.Error("R2ScoreValue of no examples: no error")
	}
	// Two examples with target 3: Σy = 6, Σy² = 18, total 0; residuals 1.
	if got, err := R2ScoreValue([]float64{2, 6, 18, 1}); err != nil || got != 0 {
		t.Errorf("R2ScoreValue(constant targets) = %v, %v; want 0", got, err)
	}
	if got, _ := RootMeanSquaredErrorValue([]float64{8, 2}); got != 2 {
		t.Errorf("RootMeanSquaredErrorValue(8, 2) = %v, want 2", got)
	}
}

package classifier

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// weightedCSV writes a two-class table x1, x2, w, y whose weight column is weight(i).
func weightedCSV(t *testing.T, path string, n int, seed uint64, weight func(i int) string) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 5))
	var b strings.Builder
	b.WriteString("x1,x2,w,y\n")
	for i := range n {
		y := i % 2
		fmt.Fprintf(&b, "%.4f,%.4f,%s,%d\n", float64(y)+r.NormFloat64()*0.6, -float64(y)+r.NormFloat64()*0.6, weight(i), y)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// weightsYAML trains a Dense(1, sigmoid) on train.csv with its test.csv, holding out a
// quarter for validation; extra adds data keys, train adds train keys.
const weightsYAML = `name: weights
task: classifier
data: {format: csv, path: %s, test_path: %s, label: y, feature_columns: [x1, x2], validation_split: 0.25, seed: 1 %s}
model: {layers: [{type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 4, batch_size: 8, optimizer: {type: Adam, learning_rate: 0.05} %s}
`

// A CSV's sample_weight reaches the loss in training, validation and the test evaluation
// (Keras's fit slices sample_weight with the validation split, and evaluate weighs by the
// test data's own): weights of 0 make every loss 0; weights of 1 give the unweighted run.
// class_weight weighs the training loss only: with both classes at 0 the training loss is
// 0 but val_loss and the test loss are not.
func TestSampleAndClassWeightsRun(t *testing.T) {
	dir := t.TempDir()
	csv := func(name string, w func(int) string) (string, string) {
		train, test := filepath.Join(dir, name+"_train.csv"), filepath.Join(dir, name+"_test.csv")
		weightedCSV(t, train, 48, 1, w)
		weightedCSV(t, test, 20, 2, w)
		return train, test
	}
	zeroTrain, zeroTest := csv("zero", func(int) string { return "0" })
	oneTrain, oneTest := csv("one", func(int) string { return "1" })
	run := func(train, test, data, tr string) (*Metrics, *runner.History) {
		t.Helper()
		m, out, err := runOwn(t, fmt.Sprintf(weightsYAML, train, test, data, tr))
		if err != nil {
			t.Fatal(err)
		}
		var h runner.History
		runtest.ReadJSON(t, filepath.Join(out, "history.json"), &h)
		return m, &h
	}
	last := func(h *runner.History, key string) float64 { v := h.Metrics[key]; return v[len(v)-1] }

	m, h := run(zeroTrain, zeroTest, ", sample_weight: w", ", weighted_metrics: [accuracy]")
	if last(h, "loss") != 0 || last(h, "val_loss") != 0 || m.TestLoss != 0 {
		t.Errorf("sample weights 0: loss %v, val_loss %v, test loss %v; want 0, 0, 0", last(h, "loss"), last(h, "val_loss"), m.TestLoss)
	}
	if m.TestMetrics["weighted_accuracy"] != 0 || m.TestAccuracy == 0 {
		t.Errorf("sample weights 0: test weighted_accuracy %v (want 0), accuracy %v (want > 0)", m.TestMetrics["weighted_accuracy"], m.TestAccuracy)
	}

	weighted, hw := run(oneTrain, oneTest, ", sample_weight: w", "")
	plain, hp := run(oneTrain, oneTest, "", "")
	for _, key := range []string{"loss", "val_loss", "accuracy", "val_accuracy"} {
		for e := range hp.Metrics[key] {
			if a, b := hw.Metrics[key][e], hp.Metrics[key][e]; math.Abs(a-b) > 1e-6 {
				t.Errorf("sample weights 1, epoch %d: %s %.9g, unweighted %.9g", e+1, key, a, b)
			}
		}
	}
	if math.Abs(weighted.TestLoss-plain.TestLoss) > 1e-6 {
		t.Errorf("sample weights 1: test loss %.9g, unweighted %.9g", weighted.TestLoss, plain.TestLoss)
	}

	m, h = run(oneTrain, oneTest, "", ", class_weight: {0: 0, 1: 0}")
	if last(h, "loss") != 0 || last(h, "val_loss") == 0 || m.TestLoss == 0 {
		t.Errorf("class_weight 0: loss %v (want 0), val_loss %v, test loss %v (want > 0: validation is not weighed)", last(h, "loss"), last(h, "val_loss"), m.TestLoss)
	}
}

// A test file without the sample weight column is refused, naming the column and file.
func TestSampleWeightTestPathWithoutColumn(t *testing.T) {
	dir := t.TempDir()
	train, test := filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")
	weightedCSV(t, train, 16, 1, func(int) string { return "1" })
	if err := os.WriteFile(test, []byte("x1,x2,y\n0,1,0\n1,0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runOwn(t, fmt.Sprintf(weightsYAML, train, test, ", sample_weight: w", ""))
	if err == nil || !strings.Contains(err.Error(), `no sample weight column "w"`) || !strings.Contains(err.Error(), "test.csv") {
		t.Fatalf("error %v, want one naming the missing column w of test.csv", err)
	}
}

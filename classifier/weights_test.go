package classifier

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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
// test data's own): weights of 0 make every loss 0; weights of 1 give the unweighted run
// (measured: bit-identical histories with TF_ENABLE_ONEDNN_OPTS=0 and 1; 1e-6 allowed).
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
	maxDiff := 0.0
	for _, key := range []string{"loss", "val_loss", "accuracy", "val_accuracy"} {
		for e := range hp.Metrics[key] {
			a, b := hw.Metrics[key][e], hp.Metrics[key][e]
			maxDiff = math.Max(maxDiff, math.Abs(a-b))
			if math.Abs(a-b) > 1e-6 {
				t.Errorf("sample weights 1, epoch %d: %s %.9g, unweighted %.9g", e+1, key, a, b)
			}
		}
	}
	t.Logf("sample weights 1 against unweighted: largest history difference %.2g", maxDiff)
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

// A CSV with several label columns trains: multi-label 0/1 targets with one sigmoid per
// column and binary_crossentropy (accuracy is categorical_accuracy, Keras's "accuracy"
// for these shapes; binary_accuracy per unit), and several real-valued targets with mse.
func TestSeveralLabelColumnsRun(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(9, 9))
	var multi, reg strings.Builder
	multi.WriteString("x1,x2,a,b\n")
	reg.WriteString("x1,x2,y1,y2\n")
	for range 80 {
		x1, x2 := r.NormFloat64(), r.NormFloat64()
		b := func(v bool) int {
			if v {
				return 1
			}
			return 0
		}
		fmt.Fprintf(&multi, "%.4f,%.4f,%d,%d\n", x1, x2, b(x1 > 0), b(x2 > 0))
		fmt.Fprintf(&reg, "%.4f,%.4f,%.4f,%.4f\n", x1, x2, 3*x1-x2+1, 2*x2)
	}
	for name, text := range map[string]string{"multi.csv": multi.String(), "reg.csv": reg.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, out, err := runOwn(t, fmt.Sprintf(`name: tags
task: classifier
data: {format: csv, path: %s, label: [a, b], validation_split: 0.25, seed: 1}
model: {layers: [{type: Dense, units: 2, activation: sigmoid}]}
train: {epochs: 30, batch_size: 8, loss: binary_crossentropy, metrics: [accuracy, binary_accuracy, AUC], optimizer: {type: Adam, learning_rate: 0.05}}
`, filepath.Join(dir, "multi.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if m.TestMetrics["binary_accuracy"] < 0.9 || m.TestMetrics["auc"] < 0.95 {
		t.Errorf("multi-label: binary_accuracy %.3f, auc %.3f; want >= 0.9, 0.95 on separable columns", m.TestMetrics["binary_accuracy"], m.TestMetrics["auc"])
	}
	var classes []string
	runtest.ReadJSON(t, filepath.Join(out, ClassNamesFile), &classes)
	if !slices.Equal(classes, []string{"a", "b"}) {
		t.Errorf("class_names.json %v, want the label columns [a b]", classes)
	}
	m, _, err = runOwn(t, fmt.Sprintf(`name: targets
task: classifier
data: {format: csv, path: %s, label: [y1, y2], validation_split: 0.25, seed: 1}
model: {layers: [{type: Dense, units: 2}]}
train: {epochs: 40, batch_size: 8, loss: mse, metrics: [mae, r2_score], optimizer: {type: Adam, learning_rate: 0.1}}
`, filepath.Join(dir, "reg.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if m.TestMetrics["r2_score"] < 0.95 {
		t.Errorf("two regression targets: r2_score %.3f (mae %.3f), want >= 0.95 on linear targets", m.TestMetrics["r2_score"], m.TestMetrics["mae"])
	}
}

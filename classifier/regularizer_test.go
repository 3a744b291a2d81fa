package classifier

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/internal/runtest"
)

// A kernel_regularizer's penalty is in the reported loss and shrinks the weights: on a
// linear CSV regression (mse), the test loss minus the test mse (rmse²) is the penalty
// l2·Σw², as Keras's evaluate reports it; with l2 = 1e-6 it measures Σw² of an all but
// unregularized fit, and with l2 = 1 Σw² is far smaller and the training loss exceeds the
// training mse by the penalty.
func TestKernelRegularizerInLoss(t *testing.T) {
	dir := t.TempDir()
	writeLinearCSV(t, filepath.Join(dir, "train.csv"), 200, 1)
	writeLinearCSV(t, filepath.Join(dir, "test.csv"), 50, 2)
	run := func(l2 float64) (sumSq, trainGap float64) {
		m, out, err := runOwn(t, fmt.Sprintf(`name: own_regression
task: classifier
data: {format: csv, path: %s, test_path: %s, label: y}
model:
  layers:
    - {type: Dense, units: 1, kernel_regularizer: {l2: %g}}
train: {epochs: 30, batch_size: 16, loss: mse, metrics: [root_mean_squared_error], optimizer: {type: Adam, learning_rate: 0.5}}
`, filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv"), l2))
		if err != nil {
			t.Fatal(err)
		}
		rmse := m.TestMetrics["root_mean_squared_error"]
		penalty := m.TestLoss - rmse*rmse
		t.Logf("l2 %g: test loss %.5g, test mse %.5g, penalty %.5g, Σw² %.4g", l2, m.TestLoss, rmse*rmse, penalty, penalty/l2)
		var h struct {
			Metrics map[string][]float64 `json:"metrics"`
		}
		runtest.ReadJSON(t, filepath.Join(out, "history.json"), &h)
		loss, rmseTrain := h.Metrics["loss"], h.Metrics["root_mean_squared_error"]
		trainGap = loss[len(loss)-1] - rmseTrain[len(rmseTrain)-1]*rmseTrain[len(rmseTrain)-1]
		t.Logf("l2 %g: last epoch's loss %.5g, mse %.5g", l2, loss[len(loss)-1], rmseTrain[len(rmseTrain)-1]*rmseTrain[len(rmseTrain)-1])
		if l2 >= 1 && !(trainGap > penalty/2) {
			t.Errorf("l2 %g: last epoch's loss − mse %.4g, want about the penalty %.4g", l2, trainGap, penalty)
		}
		return penalty / l2, penalty
	}
	free, _ := run(1e-6)
	shrunk, penalty := run(1)
	if !(free > 1) {
		t.Fatalf("Σw² of the nearly free fit %.4g: the penalty is not in the test loss", free)
	}
	if !(shrunk < free/2) || !(penalty > 0.1) {
		t.Errorf("with l2 = 1: Σw² %.4g (free fit %.4g, want < half), penalty %.4g in the loss (want > 0.1)", shrunk, free, penalty)
	}
}

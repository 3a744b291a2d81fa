package classifier

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
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

// Under mixed_bfloat16 the penalties (weights read in float32, the activity one computed
// on the bfloat16 output as Keras does) join the float32 loss: the graph builds and a
// training step's loss exceeds the unregularized model's by about the weight penalty.
func TestRegularizersMixedBFloat16(t *testing.T) {
	train := twoMoons(64, 0.1, 1)
	idx := make([]int, 64)
	for i := range idx {
		idx[i] = i
	}
	losses := map[bool]float64{}
	for _, reg := range []bool{false, true} {
		d := builders.NewDense("dense", 8, "tanh")
		out := builders.NewDense("dense_1", 1, "sigmoid")
		if reg {
			d.KernelRegularizer = configs.Regularizer{L2: 10}
			d.BiasRegularizer = configs.Regularizer{L1: 1}
			out.ActivityRegularizer = configs.Regularizer{L1: 0.5, L2: 0.5}
		}
		c, err := NewClassifier(ClassifierSpec{
			Layers: []builders.Layer{d, out}, Input: builders.Shape{2}, Seed: 1, Threads: 1,
			Precision: configs.PrecisionMixedBFloat16,
			NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) {
				return graphs.NewSGD(s, "sgd", 0, 0, false), nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		x, y, err := train.Batch(idx)
		if err != nil {
			t.Fatal(err)
		}
		if losses[reg], _, err = c.TrainBatch(x, y); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("loss without regularizers %.4f, with %.4f", losses[false], losses[true])
	if !(losses[true] > losses[false]+1) {
		t.Errorf("loss with regularizers %.4f, without %.4f: want the penalty (l2 10 on a glorot kernel) on top", losses[true], losses[false])
	}
}

package tfrun_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/runner"
)

// wineData is the wine table, or a skip naming why it is missing.
func wineData(t *testing.T) tfrun.Data {
	t.Helper()
	d, err := wine()
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no ../shared/data/tabular/wine.csv: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wineModel is a compiled classifier of the wine table's three classes.
func wineModel(t *testing.T, opts ...tfrun.CompileOption) *tfrun.Model {
	t.Helper()
	m, err := tfrun.Sequential(
		layers.New("Normalization"),
		layers.Dense(8, layers.Activation("relu")),
		layers.Dense(3, layers.Activation("softmax")),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	opts = append([]tfrun.CompileOption{tfrun.Loss("sparse_categorical_crossentropy"),
		tfrun.Optimizer("Adam", tfrun.Arg("learning_rate", 0.01)), tfrun.Threads(1)}, opts...)
	if err := m.Compile(opts...); err != nil {
		t.Fatal(err)
	}
	return m
}

// Every wrong argument of a layer is an error of Sequential naming the layer and the key.
func TestSequentialRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers []layers.Layer
		want   string
	}{
		{"no layers", nil, "no layers"},
		{"unknown type", []layers.Layer{layers.New("Dens")}, "layers[0]: layer Dens"},
		{"unknown argument", []layers.Layer{layers.Dense(1, layers.Arg("unit", 3))}, "unit"},
		{"wrong type", []layers.Layer{layers.Dense(1, layers.Activation("relu")), layers.Dense(1, layers.Arg("use_bias", "yes"))}, "layers[1]: layer Dense: use_bias"},
		{"missing required", []layers.Layer{layers.New("Dense")}, "units"},
		{"out of range", []layers.Layer{layers.Dropout(1.5)}, "rate"},
		{"unknown activation", []layers.Layer{layers.Dense(1, layers.Activation("sigmoidal"))}, "sigmoidal"},
		{"merge layer", []layers.Layer{layers.New("Add")}, "functional model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tfrun.Sequential(tc.layers...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Every wrong compile option is Compile's error, naming what is wrong.
func TestCompileRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  tfrun.CompileOption
		want string
	}{
		{"unknown loss", tfrun.Loss("cross_entropy"), "cross_entropy"},
		{"loss argument of another loss", tfrun.Loss("mse", tfrun.Arg("from_logits", true)), "from_logits"},
		{"unknown optimizer", tfrun.Optimizer("adamm"), "adamm"},
		{"unknown optimizer argument", tfrun.Optimizer("sgd", tfrun.Arg("beta_1", 0.9)), `"beta_1" (valid: learning_rate, momentum`},
		{"wrong argument type", tfrun.Optimizer("adam", tfrun.Arg("learning_rate", "fast")), "learning_rate: want float64"},
		{"unknown metric", tfrun.Metrics("acc"), `unknown metric "acc"`},
		{"negative threads", tfrun.Threads(-1), "threads: -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tfrun.Sequential(layers.Dense(1, layers.Activation("sigmoid")))
			if err != nil {
				t.Fatal(err)
			}
			err = m.Compile(tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Wrong data and options are Fit's, Evaluate's and Predict's errors, before any training.
func TestFitRejects(t *testing.T) {
	x := tfrun.Floats([]float32{0, 1, 1, 0, 1, 1}, 2)
	y := tfrun.Floats([]float32{1, 1, 0})
	good := tfrun.Data{X: x, Y: y}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(m *tfrun.Model) error
		want string
	}{
		{"X and Y lengths", func(m *tfrun.Model) error {
			_, err := m.Fit(ctx, tfrun.Data{X: x, Y: tfrun.Floats([]float32{1, 0})})
			return err
		}, "3 examples in X, 2 in Y"},
		{"values not whole examples", func(m *tfrun.Model) error {
			_, err := m.Fit(ctx, tfrun.Data{X: tfrun.Floats([]float32{0, 1, 1}, 2), Y: y})
			return err
		}, "3 values are not whole examples"},
		{"no examples", func(m *tfrun.Model) error {
			_, err := m.Fit(ctx, tfrun.Data{X: tfrun.Floats(nil, 2), Y: tfrun.Floats(nil)})
			return err
		}, "no examples"},
		{"labels of rank 2", func(m *tfrun.Model) error {
			_, err := m.Fit(ctx, tfrun.Data{X: x, Y: tfrun.Floats(make([]float32, 12), 2, 2)})
			return err
		}, "labels are one number or a vector"},
		{"zero epochs", func(m *tfrun.Model) error { _, err := m.Fit(ctx, good, tfrun.Epochs(0)); return err }, "epochs: 0"},
		{"zero batch size", func(m *tfrun.Model) error { _, err := m.Fit(ctx, good, tfrun.BatchSize(0)); return err }, "batch size: 0"},
		{"resume without a run directory", func(m *tfrun.Model) error { _, err := m.Fit(ctx, good, tfrun.Resume()); return err }, "Resume needs a RunDir"},
		{"unknown callback", func(m *tfrun.Model) error {
			_, err := m.Fit(ctx, good, tfrun.Callbacks(tfrun.Callback("EarlyStop")))
			return err
		}, "callbacks[0]: callback"},
		{"argument of another callback", func(m *tfrun.Model) error {
			_, err := m.Fit(ctx, good, tfrun.Callbacks(tfrun.Callback("EarlyStopping", tfrun.Arg("factor", 0.5))))
			return err
		}, `unknown argument "factor"`},
		{"validation data of another shape", func(m *tfrun.Model) error {
			_, err := m.Fit(ctx, good, tfrun.ValidationData(tfrun.Data{X: tfrun.Floats([]float32{1, 2, 3}, 3), Y: tfrun.Floats([]float32{1})}))
			return err
		}, "validation data: examples (None, 3)"},
		{"evaluate with epochs", func(m *tfrun.Model) error { _, err := m.Evaluate(ctx, good, tfrun.Epochs(2)); return err }, "evaluate takes only [BatchSize Steps]"},
		{"data of another shape than built", func(m *tfrun.Model) error {
			if err := m.Build(tfrun.Floats(nil, 2)); err != nil {
				return err
			}
			_, err := m.Predict(ctx, tfrun.Floats([]float32{1, 2, 3}, 3))
			return err
		}, "built for examples of shape [2] (float32), got [3]"},
		{"a model that cannot take the input", func(m *tfrun.Model) error { return m.Build(tfrun.Ints(nil, 2, 2, 2)) }, "build"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tfrun.Sequential(layers.Dense(1, layers.Activation("sigmoid")))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if err := m.Compile(tfrun.Threads(1)); err != nil {
				t.Fatal(err)
			}
			err = tc.run(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Before Compile nothing runs; before Build there is no summary.
func TestNotCompiledNotBuilt(t *testing.T) {
	m, err := tfrun.Sequential(layers.Dense(1, layers.Activation("sigmoid")))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data := tfrun.Data{X: tfrun.Floats([]float32{0, 1}, 2), Y: tfrun.Floats([]float32{1})}
	if _, err := m.Fit(context.Background(), data); !errors.Is(err, tfrun.ErrNotCompiled) {
		t.Errorf("Fit before Compile: err = %v, want ErrNotCompiled", err)
	}
	if _, err := m.Summary(); !errors.Is(err, tfrun.ErrNotBuilt) {
		t.Errorf("Summary before Build: err = %v, want ErrNotBuilt", err)
	}
	if err := m.PlotModel(filepath.Join(t.TempDir(), "model.svg")); !errors.Is(err, tfrun.ErrNotBuilt) {
		t.Errorf("PlotModel before Build: err = %v, want ErrNotBuilt", err)
	}
}

// Fit learns the wine classes; Predict gives one row of class probabilities per example,
// which agree with Evaluate's accuracy.
func TestFitPredictWine(t *testing.T) {
	data := wineData(t)
	m := wineModel(t)
	ctx := context.Background()
	before, err := m.Evaluate(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(ctx, data, tfrun.Epochs(15), tfrun.BatchSize(16), tfrun.ValidationData(data))
	if err != nil {
		t.Fatal(err)
	}
	logs, err := m.Evaluate(ctx, data, tfrun.BatchSize(64))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loss %.4f → %.4f, accuracy %.4f", before["loss"], logs["loss"], logs["accuracy"])
	if len(h.Epochs) != 15 || len(h.Metrics["val_accuracy"]) != 15 {
		t.Errorf("history: %d epochs, %d val_accuracy values; want 15", len(h.Epochs), len(h.Metrics["val_accuracy"]))
	}
	if logs["accuracy"] < 0.95 || !(logs["loss"] < before["loss"]/2) {
		t.Errorf("after fit: accuracy %.4f (want >= 0.95), loss %.4f (want < half of %.4f)", logs["accuracy"], logs["loss"], before["loss"])
	}
	if v := h.Metrics["val_loss"][14]; math.Abs(v-logs["loss"]) > 1e-5 {
		t.Errorf("val_loss of the last epoch %.6f, Evaluate's loss %.6f: the same data and weights", v, logs["loss"])
	}
	p, err := m.Predict(ctx, data.X, tfrun.BatchSize(50))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Shape) != 1 || p.Shape[0] != 3 || p.Len() != data.Len() {
		t.Fatalf("predictions: shape %v, %d rows; want [3], %d", p.Shape, p.Len(), data.Len())
	}
	right := 0
	for i := 0; i < p.Len(); i++ {
		row := p.Floats[3*i : 3*i+3]
		best := 0
		for k := range row {
			if row[k] > row[best] {
				best = k
			}
		}
		if best == int(data.Y.Ints[i]) {
			right++
		}
		if s := row[0] + row[1] + row[2]; math.Abs(float64(s)-1) > 1e-5 {
			t.Fatalf("row %d: probabilities %v sum to %v", i, row, s)
		}
	}
	if acc := float64(right) / float64(p.Len()); math.Abs(acc-logs["accuracy"]) > 1e-9 {
		t.Errorf("accuracy of Predict's argmax %.4f, Evaluate's %.4f", acc, logs["accuracy"])
	}
}

// A LambdaCallback sees every batch and epoch; ErrStopTraining ends training after that
// epoch without an error, another error ends Fit with it.
func TestLambdaCallback(t *testing.T) {
	data := wineData(t)
	m := wineModel(t)
	var batches, epochs int
	var began, ended bool
	stop := tfrun.LambdaCallback{
		OnTrainBegin: func() error { began = true; return nil },
		OnBatchEnd:   func(step int64, logs tfrun.Logs) error { batches++; return nil },
		OnEpochEnd: func(epoch int, logs tfrun.Logs) error {
			epochs++
			if _, ok := logs["loss"]; !ok {
				t.Errorf("epoch %d: logs %v have no loss", epoch, logs)
			}
			if epoch == 2 {
				return tfrun.ErrStopTraining
			}
			return nil
		},
		OnTrainEnd: func() error { ended = true; return nil },
	}
	h, err := m.Fit(context.Background(), data, tfrun.Epochs(10), tfrun.BatchSize(32), tfrun.Callbacks(stop))
	if err != nil {
		t.Fatal(err)
	}
	steps := (data.Len() + 31) / 32
	if len(h.Epochs) != 3 || epochs != 3 || batches != 3*steps || !began || !ended {
		t.Errorf("%d epochs in the history, %d epoch calls, %d batch calls (want 3, 3, %d), began %v, ended %v", len(h.Epochs), epochs, batches, 3*steps, began, ended)
	}
	boom := errors.New("boom")
	_, err = m.Fit(context.Background(), data, tfrun.Callbacks(tfrun.LambdaCallback{OnEpochEnd: func(int, tfrun.Logs) error { return boom }}))
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the callback's", err)
	}
}

// A cancelled context stops Fit with runner.ErrInterrupted; with a RunDir the run's files
// are there, and Resume continues the run to its epochs, as tfrun -resume does.
func TestRunDirInterruptResume(t *testing.T) {
	data := wineData(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := wineModel(t)
	if _, err := m.Fit(ctx, data, tfrun.Epochs(3), tfrun.RunDir(dir)); !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	csv := tfrun.Callback("CSVLogger")
	h, err := m.Fit(context.Background(), data, tfrun.Epochs(2), tfrun.BatchSize(16), tfrun.RunDir(dir), tfrun.Resume(), tfrun.Callbacks(csv))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"summary.txt", "model.dot", "model.svg", "history.json", "history.csv", "training.log", "checkpoints"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run directory: %v", err)
		}
	}
	m2 := wineModel(t)
	h2, err := m2.Fit(context.Background(), data, tfrun.Epochs(4), tfrun.BatchSize(16), tfrun.RunDir(dir), tfrun.Resume(), tfrun.Callbacks(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 || len(h2.Epochs) != 4 || h2.Metrics["loss"][1] != h.Metrics["loss"][1] {
		t.Errorf("histories %v then %v: want 2 epochs, then the same 2 and 2 more", h.Metrics["loss"], h2.Metrics["loss"])
	}
}

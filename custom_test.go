package tfrun_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/layers"
)

// Losses and metrics these tests register, once for the test binary.
func init() {
	sq := func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
		return op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), op.Sub(s.Op("Sub"), yTrue, yPred)), s.Const(int32(-1)))
	}
	for _, l := range []tfrun.CustomLoss{
		{Name: "test_sq", Func: sq},
		// a scalar: the batch's loss, which cannot weigh examples
		{Name: "test_batch_sq", Func: func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
			v := sq(s, yTrue, yPred)
			return op.Mean(s.Op("Mean"), v, s.Const([]int32{0}))
		}},
		// Round has no gradient in TensorFlow's C++ registry
		{Name: "test_rounded", Func: func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
			return sq(s, yTrue, op.Round(s.Op("Round"), yPred))
		}},
		{Name: "test_ignores_pred", Func: func(s *tfrun.Scope, yTrue, _ tfrun.Output) tfrun.Output {
			return op.Mean(s.Op("Mean"), yTrue, s.Const(int32(-1)))
		}},
		{Name: "test_int_loss", Func: func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
			return op.Cast(s.Op("Cast"), sq(s, yTrue, yPred), tf.Int32)
		}},
		{Name: "test_bad_op", Func: func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
			return op.MatMul(s.Op("MatMul"), yTrue, s.Const([]float32{1, 2, 3})) // rank 1: MatMul refuses it
		}},
	} {
		if err := tfrun.RegisterLoss(l); err != nil {
			panic(err)
		}
	}
	if err := tfrun.RegisterMetric(tfrun.CustomMetric{Name: "test_abs", Func: func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
		return op.Abs(s.Op("Abs"), op.Sub(s.Op("Sub"), yTrue, yPred)) // [batch, 1]: averaged over the last axis
	}}); err != nil {
		panic(err)
	}
	if err := tfrun.RegisterMetric(tfrun.CustomMetric{Name: "test_batch_abs", Func: func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
		d := op.Abs(s.Op("Abs"), op.Sub(s.Op("Sub"), yTrue, yPred))
		return op.Mean(s.Op("Mean"), d, s.Const([]int32{0, 1})) // one value per batch
	}}); err != nil {
		panic(err)
	}
}

// diabetesData reads the diabetes table, targets in hundreds.
func diabetesData(t *testing.T) tfrun.Data {
	t.Helper()
	const csv = "../shared/data/tabular/diabetes.csv"
	tb, err := datasets.ReadCSV(csv, datasets.CSVOptions{Label: "target", Regression: true})
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", csv, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, len(tb.Targets))
	for i, v := range tb.Targets {
		y[i] = v / 100
	}
	return tfrun.Data{X: tfrun.Floats(tb.Features, tb.NumFeatures()), Y: tfrun.Floats(y)}
}

// fitWith compiles a small regression with loss and metrics and fits it one epoch.
func fitWith(t *testing.T, data tfrun.Data, loss string, metrics ...string) (*tfrun.History, error) {
	t.Helper()
	m, err := tfrun.Sequential(layers.New("Normalization"), layers.Dense(8, layers.Activation("relu")), layers.Dense(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss(loss), tfrun.Optimizer("adam"), tfrun.Metrics(metrics...), tfrun.Threads(1)); err != nil {
		return nil, err
	}
	return m.Fit(context.Background(), data, tfrun.Epochs(2))
}

// A custom loss and metric train and log as the built-ins they equal; a loss of one
// value per batch trains too.
func TestCustomLossAndMetric(t *testing.T) {
	data := diabetesData(t)
	custom, err := fitWith(t, data, "test_sq", "test_abs")
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := fitWith(t, data, "mse", "mae")
	if err != nil {
		t.Fatal(err)
	}
	for i := range builtin.Epochs {
		if custom.Metrics["loss"][i] != builtin.Metrics["loss"][i] || custom.Metrics["test_abs"][i] != builtin.Metrics["mae"][i] {
			t.Errorf("epoch %d: test_sq %v, test_abs %v; mse %v, mae %v", i+1, custom.Metrics["loss"][i], custom.Metrics["test_abs"][i],
				builtin.Metrics["loss"][i], builtin.Metrics["mae"][i])
		}
	}
	batch, err := fitWith(t, data, "test_batch_sq")
	if err != nil {
		t.Fatal(err)
	}
	if l := batch.Metrics["loss"]; !(l[1] < l[0]) {
		t.Errorf("a scalar loss: losses %v, want them to fall", l)
	}
}

// Every bad custom loss is refused with an error that says what is wrong, when the model
// is built.
func TestCustomLossErrors(t *testing.T) {
	data := diabetesData(t)
	for _, c := range []struct {
		loss string
		want []string
	}{
		{"test_rounded", []string{`custom loss "test_rounded"`, "no gradient", "Round"}},
		{"test_ignores_pred", []string{`custom loss "test_ignores_pred" does not depend on y_pred`}},
		{"test_int_loss", []string{`custom loss "test_int_loss"`, "dtype int32", "floating-point"}},
		{"test_bad_op", []string{`custom loss "test_bad_op"`, "MatMul"}},
	} {
		_, err := fitWith(t, data, c.loss)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: err = %v, want it to contain %q", c.loss, err, w)
			}
		}
	}
	weighted := data
	weighted.SampleWeight = make([]float32, data.Len())
	for i := range weighted.SampleWeight {
		weighted.SampleWeight[i] = 1
	}
	if _, err := fitWith(t, weighted, "test_batch_sq"); err == nil || !strings.Contains(err.Error(), "cannot weigh examples") {
		t.Errorf("a scalar loss with sample weights: err = %v, want one saying it cannot weigh examples", err)
	}
	m, err := tfrun.Sequential(layers.Dense(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("test_sq", tfrun.Arg("delta", 1.0))); err == nil || !strings.Contains(err.Error(), "takes none") {
		t.Errorf("an argument to a custom loss: err = %v, want one saying it takes none", err)
	}
}

func TestRegisterErrors(t *testing.T) {
	f := func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output { return yPred }
	for _, c := range []struct {
		what string
		err  error
		want string
	}{
		{"a built-in loss's name", tfrun.RegisterLoss(tfrun.CustomLoss{Name: "mse", Func: f}), "loss mean_squared_error's"},
		{"a registered loss's name", tfrun.RegisterLoss(tfrun.CustomLoss{Name: "test_sq", Func: f}), "loss test_sq's"},
		{"not snake case", tfrun.RegisterLoss(tfrun.CustomLoss{Name: "My Loss", Func: f}), "lower snake case"},
		{"no Func", tfrun.RegisterLoss(tfrun.CustomLoss{Name: "test_nil"}), "no Func"},
		{"a bad LabelKind", tfrun.RegisterLoss(tfrun.CustomLoss{Name: "test_kind", Labels: 9, Func: f}), "not a LabelKind"},
		{"a built-in metric's name", tfrun.RegisterMetric(tfrun.CustomMetric{Name: "mae", Func: f}), "exists"},
		{"a registered metric's name", tfrun.RegisterMetric(tfrun.CustomMetric{Name: "test_abs", Func: f}), "exists"},
		{"a metric with no Func", tfrun.RegisterMetric(tfrun.CustomMetric{Name: "test_nil"}), "no Func"},
		{"a metric not snake case", tfrun.RegisterMetric(tfrun.CustomMetric{Name: "AbsErr", Func: f}), "lower snake case"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.what, c.err, c.want)
		}
	}
}

// A custom metric among the weighted metrics is averaged with the sample weights, as the
// built-in mae is; one of one value per batch is refused there.
func TestCustomWeightedMetric(t *testing.T) {
	data := diabetesData(t)
	data.SampleWeight = make([]float32, data.Len())
	for i := range data.SampleWeight {
		data.SampleWeight[i] = float32(i%4) / 2
	}
	logs := map[string]tfrun.Logs{}
	for _, metric := range []string{"test_abs", "mae", "test_batch_abs"} {
		m, err := tfrun.Sequential(layers.Dense(1))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if err := m.Compile(tfrun.Loss("mse"), tfrun.WeightedMetrics(metric), tfrun.Threads(1)); err != nil {
			t.Fatal(err)
		}
		logs[metric], err = m.Evaluate(context.Background(), data)
		if metric == "test_batch_abs" {
			if err == nil || !strings.Contains(err.Error(), "must return one per example") {
				t.Errorf("a weighted metric of one value per batch: err = %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := logs["test_abs"]["test_abs"], logs["mae"]["mae"]; got != want || got == 0 {
		t.Errorf("weighted test_abs %v, weighted mae %v: want equal", got, want)
	}
}

// A YAML config loaded in Go names the registered loss and metric as it names built-in
// ones.
func TestCustomLossInAConfig(t *testing.T) {
	csv, err := filepath.Abs("../shared/data/tabular/diabetes.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(csv); errors.Is(err, os.ErrNotExist) {
		t.Skipf("no %s: %v", csv, err)
	}
	path := filepath.Join(t.TempDir(), "custom.yaml")
	yaml := fmt.Sprintf(`name: custom
task: classifier
data: {format: csv, path: %q, label: target, normalize: true, validation_split: 0.2}
model:
  layers:
    - {type: Dense, units: 8, activation: relu}
    - {type: Dense, units: 1}
train: {epochs: 2, batch_size: 32, loss: test_sq, metrics: [test_abs, mae], optimizer: adam}
`, csv)
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := tfrun.LoadConfig(path, tfrun.Threads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	data, err := m.LoadData(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(ctx, data.Train, tfrun.ValidationData(data.Validation))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 || h.Metrics["test_abs"][1] != h.Metrics["mae"][1] || h.Metrics["val_test_abs"][1] != h.Metrics["val_mae"][1] {
		t.Errorf("history %v: want 2 epochs with test_abs = mae and val_test_abs = val_mae", h.Metrics)
	}
}

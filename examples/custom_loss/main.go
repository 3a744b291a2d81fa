// Command custom_loss trains a regression with a loss and a metric written in Go with
// graph ops: the diabetes table (scikit-learn's load_diabetes: 442 patients, 10
// measurements, a disease progression score, in hundreds here) fitted with
//
//   - go_mse, mean((y_true - y_pred)², axis=-1), the built-in mean_squared_error written
//     in Go (its test checks the two train to the same losses), or
//   - pinball_90, the pinball (quantile) loss of the 0.9 quantile, which Keras has no
//     built-in for: the model learns a score that 90% of patients stay below,
//
// and the metric go_mae, mean(|y_true - y_pred|). The gradients come from TensorFlow's
// gradient registry; the losses are printed epoch by epoch.
//
//	go run ./examples/custom_loss -loss pinball_90 -epochs 40
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/layers"
)

// goMSE is keras.losses.mean_squared_error: mean((y_true - y_pred)², axis=-1).
func goMSE(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
	d := op.Sub(s.Op("Sub"), yTrue, yPred)
	return op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), d), s.Const(int32(-1)))
}

// pinball is the pinball loss of quantile q: mean(max(q·e, (q-1)·e), axis=-1), e = y_true
// - y_pred. Its minimum is at the q-quantile of y_true given the features.
func pinball(q float64) tfrun.LossFunc {
	return func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
		e := op.Sub(s.Op("Sub"), yTrue, yPred)
		under := op.Mul(s.Op("Mul"), s.Scalar(q), e)
		over := op.Mul(s.Op("Mul"), s.Scalar(q-1), e)
		return op.Mean(s.Op("Mean"), op.Maximum(s.Op("Maximum"), under, over), s.Const(int32(-1)))
	}
}

// goMAE is keras.metrics.mean_absolute_error: mean(|y_true - y_pred|, axis=-1).
func goMAE(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
	d := op.Abs(s.Op("Abs"), op.Sub(s.Op("Sub"), yTrue, yPred))
	return op.Mean(s.Op("Mean"), d, s.Const(int32(-1)))
}

// Registered once, as Keras's register_keras_serializable: Compile and a YAML config's
// train.loss and train.metrics then name them.
func init() {
	for _, l := range []tfrun.CustomLoss{
		{Name: "go_mse", Labels: tfrun.LabelsReal, Func: goMSE},
		{Name: "pinball_90", Labels: tfrun.LabelsReal, Func: pinball(0.9)},
	} {
		if err := tfrun.RegisterLoss(l); err != nil {
			panic(err)
		}
	}
	if err := tfrun.RegisterMetric(tfrun.CustomMetric{Name: "go_mae", Func: goMAE}); err != nil {
		panic(err)
	}
}

func main() {
	csv := flag.String("csv", "../shared/data/tabular/diabetes.csv", "the diabetes table")
	loss := flag.String("loss", "go_mse", "the loss: go_mse, pinball_90, or a built-in one (mse)")
	metric := flag.String("metric", "go_mae", "the metric: go_mae, or a built-in one (mae)")
	epochs := flag.Int("epochs", 20, "epochs")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout, *csv, *loss, *metric, *epochs); err != nil {
		log.Fatal(err)
	}
}

// diabetes reads the table: 10 features, the score divided by 100.
func diabetes(csv string) (tfrun.Data, error) {
	t, err := datasets.ReadCSV(csv, datasets.CSVOptions{Label: "target", Regression: true})
	if err != nil {
		return tfrun.Data{}, err
	}
	y := make([]float32, len(t.Targets))
	for i, v := range t.Targets {
		y[i] = v / 100
	}
	return tfrun.Data{X: tfrun.Floats(t.Features, t.NumFeatures()), Y: tfrun.Floats(y)}, nil
}

// result is what run trained: the history and the model's predictions on the data.
type result struct {
	History *tfrun.History
	Data    tfrun.Data
	Pred    tfrun.Array
}

func run(ctx context.Context, w io.Writer, csv, loss, metric string, epochs int) (*result, error) {
	data, err := diabetes(csv)
	if err != nil {
		return nil, err
	}
	m, err := tfrun.Sequential(
		layers.New("Normalization"), // adapted to the data before the first fit
		layers.Dense(32, layers.Activation("relu")),
		layers.Dense(1),
	)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss(loss), tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)), tfrun.Metrics(metric)); err != nil {
		return nil, err
	}
	h, err := m.Fit(ctx, data, tfrun.Epochs(epochs), tfrun.BatchSize(32))
	if err != nil {
		return nil, err
	}
	for i, l := range h.Metrics["loss"] {
		fmt.Fprintf(w, "epoch %d: %s %.4f, %s %.4f\n", i+1, loss, l, metric, h.Metrics[metric][i])
	}
	pred, err := m.Predict(ctx, data.X)
	if err != nil {
		return nil, err
	}
	return &result{History: h, Data: data, Pred: pred}, nil
}

package tfrun_test

import (
	"context"
	"fmt"

	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/layers"
)

// A loss written with graph ops, registered by name once (Keras's
// register_keras_serializable): Compile, and a YAML config's train.loss, then name it.
func init() {
	err := tfrun.RegisterLoss(tfrun.CustomLoss{
		Name:   "example_mse",
		Labels: tfrun.LabelsReal, // y_true: targets shaped like y_pred
		Func: func(s *tfrun.Scope, yTrue, yPred tfrun.Output) tfrun.Output {
			d := op.Sub(s.Op("Sub"), yTrue, yPred)
			return op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), d), s.Const(int32(-1))) // one value per example
		},
	})
	if err != nil {
		panic(err)
	}
}

// A regression trained with a loss written in Go: mean squared error, whose gradient
// TensorFlow derives from the ops it uses, trains to the built-in's losses.
func ExampleRegisterLoss() {
	t, err := datasets.ReadCSV("../shared/data/tabular/diabetes.csv", datasets.CSVOptions{Label: "target", Regression: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range t.Targets {
		t.Targets[i] /= 100
	}
	data := tfrun.Data{X: tfrun.Floats(t.Features, t.NumFeatures()), Y: tfrun.Floats(t.Targets)}
	losses := map[string][]float64{}
	for _, loss := range []string{"example_mse", "mean_squared_error"} {
		m, err := tfrun.Sequential(layers.New("Normalization"), layers.Dense(16, layers.Activation("relu")), layers.Dense(1))
		if err != nil {
			fmt.Println(err)
			return
		}
		defer m.Close()
		if err := m.Compile(tfrun.Loss(loss), tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01))); err != nil {
			fmt.Println(err)
			return
		}
		h, err := m.Fit(context.Background(), data, tfrun.Epochs(3))
		if err != nil {
			fmt.Println(err)
			return
		}
		losses[loss] = h.Metrics["loss"]
	}
	fmt.Println("the loss fell:", losses["example_mse"][2] < losses["example_mse"][0])
	fmt.Println("the built-in's losses:", fmt.Sprint(losses["example_mse"]) == fmt.Sprint(losses["mean_squared_error"]))
	// Output:
	// the loss fell: true
	// the built-in's losses: true
}

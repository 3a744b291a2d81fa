package tfrun_test

import (
	"context"
	"fmt"
	"math"

	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// A custom train step (Keras's overridden train_step): the program builds the step in
// graph ops — the network it trains, the loss, the optimizer minimizing it — and Fit runs
// it with tfrun's loop. Here a line, y = 2·x − 1, fitted by SGD on a squared error.
func ExampleNewCustom() {
	step := func(b *tfrun.StepBuilder) error {
		model, err := tfrun.Sequential(layers.Dense(1))
		if err != nil {
			return err
		}
		line, err := b.Network("line", model, 1) // its weights, in the step's graph
		if err != nil {
			return err
		}
		s := b.Scope()
		d := op.Sub(s.Op("Sub"), line.Call(b.Input("x"), true), b.Input("y"))
		loss := op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), d), s.Const([]int32{0, 1}))
		if err := b.Minimize(loss, tfrun.Optimizer("sgd", tfrun.Arg("learning_rate", 0.1)), line); err != nil {
			return err
		}
		b.Log("loss", loss) // in the History, averaged over each epoch
		return nil
	}
	m, err := tfrun.NewCustom("line", map[string][]int{"x": {1}, "y": {1}}, 42, step)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	x, y := make([]float32, 40), make([]float32, 40)
	for i := range x {
		x[i] = float32(i) / 40
		y[i] = 2*x[i] - 1
	}
	ctx := context.Background()
	data := tfrun.Data{Inputs: map[string]tfrun.Array{"x": tfrun.Floats(x, 1), "y": tfrun.Floats(y, 1)}}
	if _, err := m.Fit(ctx, data, tfrun.Epochs(100), tfrun.BatchSize(8)); err != nil {
		fmt.Println(err)
		return
	}
	p, err := m.Predict(ctx, "line", tfrun.Floats([]float32{0, 1}, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("f(0) ≈ %.1f, f(1) ≈ %.1f\n", math.Round(float64(p.Floats[0])*10)/10, math.Round(float64(p.Floats[1])*10)/10)
	// Output:
	// f(0) ≈ -1.0, f(1) ≈ 1.0
}

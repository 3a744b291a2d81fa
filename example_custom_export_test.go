package tfrun_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// A network a custom train step trained, exported as a SavedModel: serving_default takes
// x and returns output, what Custom.Predict gives, for TensorFlow Serving, Python's
// tf.saved_model.load or graft's LoadSavedModel.
func ExampleCustom_Export() {
	step := func(b *tfrun.StepBuilder) error {
		model, err := tfrun.Sequential(layers.Dense(1))
		if err != nil {
			return err
		}
		line, err := b.Network("line", model, 1)
		if err != nil {
			return err
		}
		s := b.Scope()
		d := op.Sub(s.Op("Sub"), line.Call(b.Input("x"), true), b.Input("y"))
		loss := op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), d), s.Const([]int32{0, 1}))
		return b.Minimize(loss, tfrun.Optimizer("sgd", tfrun.Arg("learning_rate", 0.1)), line)
	}
	m, err := tfrun.NewCustom("line", map[string][]int{"x": {1}, "y": {1}}, 42, step)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	data := tfrun.Data{Inputs: map[string]tfrun.Array{
		"x": tfrun.Floats([]float32{0, 0.25, 0.5, 0.75, 1}, 1), "y": tfrun.Floats([]float32{-1, -0.5, 0, 0.5, 1}, 1)}}
	if _, err := m.Fit(context.Background(), data, tfrun.Epochs(50), tfrun.BatchSize(5)); err != nil {
		fmt.Println(err)
		return
	}
	base, err := os.MkdirTemp("", "custom-export-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(base)
	dir, err := m.Export("line", filepath.Join(base, "line"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = os.Stat(filepath.Join(dir, "saved_model.pb"))
	fmt.Println(filepath.Base(dir), tfrun.NetworkInput, "->", tfrun.NetworkOutput, err == nil)
	// Output: 1 x -> output true
}

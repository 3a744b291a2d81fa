package tfrun_test

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// A functional model of two inputs and two outputs (Keras's dict inputs and outputs):
// its data by name, a loss and metrics per output, the losses weighed.
func ExampleFunctional_severalInputsAndOutputs() {
	data, err := wine()
	if err != nil {
		fmt.Println(err)
		return
	}
	n := data.Len()
	first, rest := make([]float32, 0, 4*n), make([]float32, 0, 9*n) // the 13 columns, split 4 + 9
	alcohol := make([]float32, n)
	for i := range n {
		row := data.X.Floats[13*i : 13*i+13]
		first, rest = append(first, row[:4]...), append(rest, row[4:]...)
		alcohol[i] = row[0] // also an input: a regression the model can learn
	}
	a, b := layers.Input("a", 4), layers.Input("b", 9)
	h := layers.New("Concatenate").On(
		layers.Dense(8, layers.Activation("relu")).On(layers.New("Normalization").On(a)),
		layers.Dense(8, layers.Activation("relu")).On(layers.New("Normalization").On(b)),
	)
	cultivar := layers.Dense(3, layers.Activation("softmax"), layers.Name("cultivar")).On(h)
	value := layers.Dense(1, layers.Name("alcohol")).On(h)
	m, err := tfrun.Functional([]layers.Node{a, b}, []layers.Node{cultivar, value})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	err = m.Compile(
		tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)),
		tfrun.OutputLoss("cultivar", "sparse_categorical_crossentropy"),
		tfrun.OutputLoss("alcohol", "mse"),
		tfrun.LossWeights(map[string]float64{"cultivar": 1, "alcohol": 0.1}),
		tfrun.OutputMetrics("cultivar", "accuracy"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	h2, err := m.Fit(context.Background(), tfrun.Data{
		Inputs:  map[string]tfrun.Array{"a": tfrun.Floats(first, 4), "b": tfrun.Floats(rest, 9)},
		Outputs: map[string]tfrun.Array{"cultivar": data.Y, "alcohol": tfrun.Floats(alcohol)},
	}, tfrun.Epochs(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(slices.Sorted(maps.Keys(h2.Metrics)))
	// Output:
	// [alcohol_loss cultivar_accuracy cultivar_loss learning_rate loss seconds]
}

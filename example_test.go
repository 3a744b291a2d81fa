package tfrun_test

import (
	"context"
	"fmt"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/layers"
)

// wine reads the wine table (scikit-learn's load_wine: 178 wines, 13 measurements, 3
// cultivars) from the project's shared data.
func wine() (tfrun.Data, error) {
	t, err := datasets.ReadCSV("../shared/data/tabular/wine.csv", datasets.CSVOptions{Label: "target"})
	if err != nil {
		return tfrun.Data{}, err
	}
	return tfrun.Data{X: tfrun.Floats(t.Features, t.NumFeatures()), Y: tfrun.Ints(t.Labels)}, nil
}

// A classifier of three classes: a Sequential model whose Normalization layer Fit adapts
// to the data, trained with Adam and evaluated.
func Example() {
	data, err := wine()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := tfrun.Sequential(
		layers.New("Normalization"),
		layers.Dense(16, layers.Activation("relu")),
		layers.Dense(3, layers.Activation("softmax")),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	err = m.Compile(
		tfrun.Loss("sparse_categorical_crossentropy"),
		tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.01)),
		tfrun.Metrics("accuracy"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	h, err := m.Fit(ctx, data, tfrun.Epochs(20), tfrun.BatchSize(16))
	if err != nil {
		fmt.Println(err)
		return
	}
	logs, err := m.Evaluate(ctx, data)
	if err != nil {
		fmt.Println(err)
		return
	}
	summary, _ := m.Summary()
	fmt.Print(summary)
	fmt.Println("epochs:", len(h.Epochs))
	fmt.Println("accuracy above 0.95:", logs["accuracy"] > 0.95)
	// Output:
	// Model: "sequential"
	// _________________________________________________________________________
	// Layer (type)                     Output Shape                    Param #
	// =========================================================================
	// normalization (Normalization)    (None, 13)                           27
	// _________________________________________________________________________
	// dense (Dense)                    (None, 16)                          224
	// _________________________________________________________________________
	// dense_1 (Dense)                  (None, 3)                            51
	// =========================================================================
	// Total params: 302
	// Trainable params: 275
	// Non-trainable params: 27
	// _________________________________________________________________________
	// epochs: 20
	// accuracy above 0.95: true
}

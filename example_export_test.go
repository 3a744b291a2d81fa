package tfrun_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/layers"
)

// A model built in Go, fitted with a run directory, exported as a SavedModel whose
// serving_default takes the features as Fit took them, for TensorFlow Serving, Python or
// tfrun's server.
func ExampleModel_Export() {
	data, err := wine()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := tfrun.Sequential(layers.New("Normalization"), layers.Dense(3, layers.Activation("softmax")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("sparse_categorical_crossentropy"), tfrun.Optimizer("adam")); err != nil {
		fmt.Println(err)
		return
	}
	tmp, err := os.MkdirTemp("", "export-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)
	run := filepath.Join(tmp, "run")
	if _, err := m.Fit(context.Background(), data, tfrun.Epochs(2), tfrun.RunDir(run)); err != nil {
		fmt.Println(err)
		return
	}
	dir, err := m.Export(run, filepath.Join(tmp, "models"))
	if err != nil {
		fmt.Println(err)
		return
	}
	sm, err := export.Load(dir, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sm.Close()
	sig := sm.Signatures()["serving_default"]
	fmt.Println("version:", filepath.Base(dir))
	fmt.Println("input x:", sig.Inputs["x"].Shape)
	// Output:
	// version: 1
	// input x: [?, 13]
}

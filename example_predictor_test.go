package tfrun_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfrun/tfrun"
)

// A config's model fitted with a run directory and exported; LoadPredictor serves the
// SavedModel from Go as tfrun predict -model does: table rows in, a class out, and a row
// of the wrong length answered with its error while the others are predicted.
func ExampleLoadPredictor() {
	ctx := context.Background()
	m, err := tfrun.LoadConfig("configs/wine.yaml", tfrun.Threads(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	tmp, err := os.MkdirTemp("", "predictor-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)
	run := filepath.Join(tmp, "run")
	if err := os.MkdirAll(run, 0o755); err != nil {
		fmt.Println(err)
		return
	}
	data, err := m.LoadData(ctx, "", run, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := m.Fit(ctx, data.Train, tfrun.Epochs(2), tfrun.RunDir(run)); err != nil {
		fmt.Println(err)
		return
	}
	dir, err := m.Export(run, filepath.Join(tmp, "models"))
	if err != nil {
		fmt.Println(err)
		return
	}

	pr, err := tfrun.LoadPredictor(dir, tfrun.PredictorOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pr.Close()
	fmt.Println("input:", pr.Input(), pr.Features())
	rows := [][]float32{
		{14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065},
		{13.2, 1.78, 2.14, 11.2, 100},
	}
	ps, err := pr.PredictRows(ctx, rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := ps[0]
	fmt.Println("classes:", len(p.Probabilities), "label is the class id:", p.Label == fmt.Sprint(p.ClassID))
	fmt.Println("row 2:", ps[1].Err)

	// The line-oriented path, as tfrun predict prints it.
	var out strings.Builder
	failed, total, err := pr.PredictLines(ctx, strings.NewReader("1,2,3\n"), &out)
	fmt.Println(failed, "of", total, "failed:", strings.TrimSpace(out.String()), err)
	// Output:
	// input: features 13
	// classes: 3 label is the class id: true
	// row 2: 5 values, the model takes 13 features
	// 1 of 1 failed: {"row":"1,2,3","line":1,"error":"3 values, the model takes 13 features (comma-separated, in the order of normalization.json's feature_names)"} <nil>
}

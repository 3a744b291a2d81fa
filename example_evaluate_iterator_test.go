package tfrun_test

import (
	"context"
	"fmt"
	"iter"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// Evaluate and predict on batches a Go iterator yields (Keras's evaluate(x=dataset,
// steps=) and predict(x=dataset, steps=)): here an endless stream of points, of which
// Steps takes the first batches.
func ExampleModel_PredictBatches() {
	// points yields batches of 4 points (x, x) labelled by the sign of x, forever.
	points := func(yield func(tfrun.Batch, error) bool) {
		for k := 0; ; k++ {
			x, y := make([]float32, 8), make([]float32, 4)
			for i := range 4 {
				v := float32((k*4+i)%9-4) / 4
				x[2*i], x[2*i+1] = v, v
				if v > 0 {
					y[i] = 1
				}
			}
			if !yield(tfrun.Batch{X: tfrun.Floats(x, 2), Y: tfrun.Floats(y)}, nil) {
				return
			}
		}
	}
	m, err := tfrun.Sequential(layers.Dense(1, layers.Activation("sigmoid")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("binary_crossentropy"), tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.1)), tfrun.Metrics("accuracy")); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	data := tfrun.FromIterator(iter.Seq2[tfrun.Batch, error](points))
	if _, err := m.Fit(ctx, data, tfrun.Epochs(5), tfrun.StepsPerEpoch(20)); err != nil {
		fmt.Println(err)
		return
	}
	logs, err := m.Evaluate(ctx, data, tfrun.Steps(9)) // 36 points: every value 4 times
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := m.PredictBatches(ctx, data, tfrun.Steps(3))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The first point is (-1, -1), the ninth (1, 1).
	fmt.Printf("accuracy %.2f; %d predictions, the first %.1f, the ninth %.1f\n", logs["accuracy"], p.Len(), p.Floats[0], p.Floats[8])
	// Output: accuracy 1.00; 12 predictions, the first 0.0, the ninth 1.0
}

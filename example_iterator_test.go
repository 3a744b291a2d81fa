package tfrun_test

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

// Training on batches a Go iterator makes (Keras's fit on a generator): an endless
// stream of noisy points, labelled by the side of a line they fall on. StepsPerEpoch
// cuts it into epochs; the validation data is an iterator too, with ValidationSteps.
func ExampleFromIterator() {
	points := func(seed uint64) iter.Seq2[tfrun.Batch, error] {
		return func(yield func(tfrun.Batch, error) bool) {
			r := rand.New(rand.NewPCG(seed, 0))
			for { // endless: Fit stops pulling after StepsPerEpoch batches
				x, y := make([]float32, 2*32), make([]float32, 32)
				for i := range 32 {
					x[2*i], x[2*i+1] = r.Float32()*2-1, r.Float32()*2-1
					if x[2*i]+x[2*i+1] > 0 {
						y[i] = 1
					}
				}
				if !yield(tfrun.Batch{X: tfrun.Floats(x, 2), Y: tfrun.Floats(y)}, nil) {
					return
				}
			}
		}
	}
	m, err := tfrun.Sequential(layers.Dense(1, layers.Activation("sigmoid")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	if err := m.Compile(tfrun.Loss("binary_crossentropy"), tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.05)), tfrun.Metrics("accuracy")); err != nil {
		fmt.Println(err)
		return
	}
	// Data.Batches gets the epoch: each epoch draws other points (and a resumed run
	// draws the same ones again).
	train := tfrun.Data{Batches: func(epoch int) iter.Seq2[tfrun.Batch, error] { return points(uint64(epoch)) }}
	h, err := m.Fit(context.Background(), train, tfrun.Epochs(5), tfrun.StepsPerEpoch(20),
		tfrun.ValidationData(tfrun.FromIterator(points(99))), tfrun.ValidationSteps(4))
	if err != nil {
		fmt.Println(err)
		return
	}
	acc := h.Metrics["val_accuracy"]
	fmt.Printf("%d epochs; validation accuracy above 0.9: %v\n", len(h.Epochs), acc[len(acc)-1] > 0.9)
	// Output: 5 epochs; validation accuracy above 0.9: true
}

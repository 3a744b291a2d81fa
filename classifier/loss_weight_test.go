package classifier

import (
	"math"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs"
)

// train.loss_weights of a model's one output multiplies its loss, as Keras's compile
// does (compile_utils.CompileLoss: value * loss_weight), in evaluation as in training.
func TestLossWeightOneOutput(t *testing.T) {
	data := twoMoons(64, 0.1, 1)
	losses := map[float64]float64{}
	for _, w := range []float64{1, 2.5} {
		c, err := NewClassifier(ClassifierSpec{
			Layers: []builders.Layer{builders.NewDense("dense", 4, "tanh"), builders.NewDense("dense_1", 1, "sigmoid")},
			Input:  builders.Shape{2}, Seed: 7, Threads: 1, LossWeight: w,
			NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return graphs.NewSGD(s, "sgd", 0.01, 0, false), nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		loss, _, err := c.Evaluate(data, 16)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		losses[w] = loss
	}
	if got := losses[2.5] / losses[1]; math.Abs(got-2.5) > 1e-6 {
		t.Errorf("loss with weight 2.5 / with 1 = %.8f (%g / %g), want 2.5", got, losses[2.5], losses[1])
	}
}

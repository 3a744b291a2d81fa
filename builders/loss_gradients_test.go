package builders

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// Every loss's per-example values, differentiated by the graph, match central finite
// differences in float64, on every path: probabilities, from_logits, and the logits of a
// final sigmoid or softmax; weighted reduction included. The inputs stay off the kinks
// (|e| = delta, the clipping edges, y·ŷ = 1), where a derivative is one-sided.
func TestLossGradientsNumeric(t *testing.T) {
	param := func(name string, shape []int64, v ...float64) gradcheck.Param {
		return gradcheck.Param{Name: name, Shape: shape, Values: v}
	}
	real := param("y_pred", []int64{3, 2}, 0.3, -1.2, 2.5, 0.8, -0.4, 3.1)
	realTrue := [][]float64{{1, -1}, {0.5, 2}, {-2, 0.7}}
	pos := param("y_pred", []int64{3, 2}, 0.3, 1.2, 2.5, 0.8, 0.4, 3.1)
	posTrue := [][]float64{{1, 0}, {0.5, 2}, {2, 0.7}}
	prob := param("y_pred", []int64{3, 2}, 0.3, 0.8, 0.55, 0.1, 0.9, 0.45)
	binTrue := [][]float64{{1, 0}, {0, 1}, {1, 1}}
	z := param("z", []int64{3, 2}, 0.3, -1.8, 2.5, 0.8, -0.4, 1.1)
	cz := param("z", []int64{2, 3}, 0.3, -1.8, 2.5, 0.8, -0.4, 1.1)
	cprob := param("y_pred", []int64{2, 3}, 0.3, 0.2, 0.5, 0.1, 0.6, 0.25)
	onehot := [][]float64{{0, 0, 1}, {1, 0, 0}}
	dist := [][]float64{{0.2, 0.3, 0.5}, {0.6, 0.1, 0.3}}
	ids := []float64{2, 0}
	loss := func(name string, args ...func(*configs.Loss)) configs.Loss {
		c, err := configs.NewLoss(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range args {
			a(&c)
		}
		return c
	}
	fromLogits := func(c *configs.Loss) { c.FromLogits = true }
	smoothing := func(a float64) func(*configs.Loss) { return func(c *configs.Loss) { c.LabelSmoothing = a } }
	cases := []struct {
		name   string
		loss   configs.Loss
		x      gradcheck.Param
		yTrue  any
		input  string // "", "sigmoid" or "softmax"
		weight []float64
	}{
		{"mse", loss("mse"), real, realTrue, "", nil},
		{"mse_weighted", loss("mse"), real, realTrue, "", []float64{1, 0.5, 2}},
		{"mae", loss("mae"), real, realTrue, "", nil},
		{"mape", loss("mape"), real, realTrue, "", nil}, // y = 0 (the ε floor) is in the golden cases; here it would swamp the differences
		{"msle", loss("msle"), pos, posTrue, "", nil},
		{"huber", loss("huber"), real, realTrue, "", nil},
		{"huber_delta_2", loss("huber", func(c *configs.Loss) { c.Delta = 2 }), real, realTrue, "", nil},
		{"log_cosh", loss("log_cosh"), real, realTrue, "", nil},
		{"poisson", loss("poisson"), pos, posTrue, "", nil},
		{"cosine_similarity", loss("cosine_similarity"), real, realTrue, "", nil},
		{"hinge", loss("hinge"), real, binTrue, "", nil},
		{"squared_hinge", loss("squared_hinge"), real, binTrue, "", nil},
		{"bce_probabilities", loss("bce"), prob, binTrue, "", nil},
		{"bce_probabilities_smoothing", loss("bce", smoothing(0.1)), prob, binTrue, "", nil},
		{"bce_logits", loss("bce", fromLogits, smoothing(0.2)), z, binTrue, "", nil},
		{"bce_sigmoid", loss("bce"), z, binTrue, "sigmoid", []float64{1, 0, 3}},
		{"focal_probabilities", loss("binary_focal_crossentropy"), prob, binTrue, "", nil},
		{"focal_sigmoid_balanced", loss("binary_focal_crossentropy", func(c *configs.Loss) { c.ApplyClassBalancing, c.Gamma = true, 1.5 }), z, binTrue, "sigmoid", nil},
		{"focal_logits", loss("binary_focal_crossentropy", fromLogits, smoothing(0.1)), z, binTrue, "", nil},
		{"cce_probabilities", loss("categorical_crossentropy", smoothing(0.1)), cprob, onehot, "", nil},
		{"cce_softmax", loss("categorical_crossentropy", smoothing(0.2)), cz, onehot, "softmax", nil},
		{"cce_logits", loss("categorical_crossentropy", fromLogits), cz, onehot, "", nil},
		{"scce_probabilities", loss("sparse_categorical_crossentropy"), cprob, ids, "", nil},
		{"scce_logits", loss("sparse_categorical_crossentropy", fromLogits), cz, ids, "", nil},
		{"kl_divergence", loss("kld"), cprob, dist, "", nil},
		{"kl_divergence_softmax", loss("kld"), cz, dist, "softmax", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLoss(tc.loss)
			if err != nil {
				t.Fatal(err)
			}
			worst, err := gradcheck.Check([]gradcheck.Param{tc.x}, func(s *graphs.Scope, in []tf.Output) tf.Output {
				li := LossInput{YTrue: s.Const(tc.yTrue), YPred: in[0]}
				switch tc.input {
				case "sigmoid":
					li = LossInput{YTrue: li.YTrue, YPred: op.Sigmoid(s.Op("Sigmoid"), in[0]), Logits: in[0], Activation: "sigmoid"}
				case "softmax":
					li = LossInput{YTrue: li.YTrue, YPred: op.Softmax(s.Op("Softmax"), in[0]), Logits: in[0], Activation: "softmax"}
				}
				if tc.weight != nil {
					return l.Call(s, li, s.Const(tc.weight))
				}
				return gradcheck.Project(s, l.PerExample(s, li), []int64{tc.x.Shape[0]}, 11)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative error %.2g", worst)
		})
	}
}

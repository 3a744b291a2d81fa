package builders

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// kerasLossCase is one case of testdata/keras_losses.json, written by
// testdata/keras/make_losses_golden.py.
type kerasLossCase struct {
	Name         string             `json:"name"`
	Class        string             `json:"class"`
	Config       map[string]any     `json:"config"`
	Input        string             `json:"input"` // probabilities, logits, sigmoid or softmax
	YTrueShape   []int64            `json:"y_true_shape"`
	YTrue        []float64          `json:"y_true"`
	YPredShape   []int64            `json:"y_pred_shape"`
	YPred        []float64          `json:"y_pred"`
	SampleWeight []float64          `json:"sample_weight"`
	ClassWeight  map[string]float64 `json:"class_weight"` // Model.fit's, which SampleWeight derives from
	Loss         float64            `json:"loss"`
	Gradient     []float64          `json:"gradient"`
}

// Tolerances against Keras. Both run float32 kernels on the same inputs but not the same
// op sequence (Keras's sigmoid_cross_entropy_with_logits is one fused kernel, tfrun's the
// same formula in separate ops; reductions may sum in another order), so results differ
// by a few float32 ulps (6e-8 relative each) accumulated over ~15 elements: 1e-5
// relative on the loss, 1e-4 (absolute, or relative for large values) on each gradient
// entry, which is also far below any difference of formula (the golden inputs put
// values at the clipping edges and beyond Huber's delta so that a wrong branch shows).
// Measured (Keras 3.15.1, TF 2.18.0, AMD EPYC, TF_ENABLE_ONEDNN_OPTS=0 and =1): every
// loss bit-identical, every gradient within 3e-8; the margin is for other CPUs' kernels.
const (
	lossGoldenTol     = 1e-5
	lossGoldenGradTol = 1e-4
)

// Every loss's value and gradient with respect to the predictions (or the pre-activation
// of a final sigmoid or softmax) match Keras's on recorded inputs, with
// TF_ENABLE_ONEDNN_OPTS=0 and =1 alike (the ops here have no oneDNN kernels that change
// float32 results beyond these tolerances).
func TestKerasLossesGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_losses.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keras string          `json:"keras"`
		Cases []kerasLossCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("testdata/keras_losses.json: %v", err)
	}
	covered := map[string]bool{}
	for _, kc := range doc.Cases {
		t.Run(kc.Name, func(t *testing.T) {
			c := lossFromKeras(t, kc)
			covered[c.Type] = true
			checkClassWeights(t, kc)
			loss, grad := runLossCase(t, c, kc)
			lossDiff := math.Abs(loss-kc.Loss) / math.Max(1, math.Abs(kc.Loss))
			if lossDiff > lossGoldenTol {
				t.Errorf("loss %.9g, Keras %s %.9g (scaled |diff| %.2g)", loss, doc.Keras, kc.Loss, lossDiff)
			}
			gradDiff := 0.0
			for i, want := range kc.Gradient {
				d := math.Abs(grad[i]-want) / math.Max(1, math.Abs(want))
				gradDiff = math.Max(gradDiff, d)
				if d > lossGoldenGradTol {
					t.Errorf("gradient[%d] = %.9g, Keras %.9g (scaled |diff| %.2g)", i, grad[i], want, d)
				}
			}
			t.Logf("scaled |diff|: loss %.2g, gradient %.2g", lossDiff, gradDiff)
		})
	}
	for _, name := range configs.LossTypes() {
		if !covered[name] {
			t.Errorf("loss %s has no golden case (add one to testdata/keras/make_losses_golden.py)", name)
		}
	}
}

// lossFromKeras is the config loss of a golden case: its Keras class with its arguments.
func lossFromKeras(t *testing.T, kc kerasLossCase) configs.Loss {
	t.Helper()
	c, err := configs.NewLoss(kc.Class)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range kc.Config {
		switch k {
		case "from_logits":
			c.FromLogits = v.(bool)
		case "apply_class_balancing":
			c.ApplyClassBalancing = v.(bool)
		case "label_smoothing":
			c.LabelSmoothing = v.(float64)
		case "delta":
			c.Delta = v.(float64)
		case "alpha":
			c.Alpha = v.(float64)
		case "gamma":
			c.Gamma = v.(float64)
		default:
			t.Fatalf("argument %q not handled", k)
		}
	}
	return c
}

// runLossCase computes a golden case's loss and its gradient with respect to the
// recorded predictions (or pre-activations) in float32.
func runLossCase(t *testing.T, c configs.Loss, kc kerasLossCase) (float64, []float64) {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, kc.YPredShape...)
	yTrue := s.Placeholder("y_true", tf.Float, kc.YTrueShape...)
	in := LossInput{YTrue: yTrue, YPred: x}
	switch kc.Input {
	case "sigmoid":
		in = LossInput{YTrue: yTrue, YPred: op.Sigmoid(s.Op("Sigmoid"), x), Logits: x, Activation: "sigmoid"}
	case "softmax":
		in = LossInput{YTrue: yTrue, YPred: op.Softmax(s.Op("Softmax"), x), Logits: x, Activation: "softmax"}
	}
	var w tf.Output
	if kc.SampleWeight != nil {
		w = s.Const(float32s(kc.SampleWeight))
	}
	l, err := NewLoss(c)
	if err != nil {
		t.Fatal(err)
	}
	loss := l.Call(s.Sub("loss"), in, w)
	grads, err := s.Gradients(loss, []tf.Output{x})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	xt, err := graphs.NewTensor(float32s(kc.YPred), kc.YPredShape...)
	if err != nil {
		t.Fatal(err)
	}
	yt, err := graphs.NewTensor(float32s(kc.YTrue), kc.YTrueShape...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt, yTrue: yt}, []tf.Output{loss, grads[0]})
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Scalar64(out[0]), graphs.Float64s(out[1])
}

// Every loss configs knows has an implementation, and only those.
func TestLossRegistryComplete(t *testing.T) {
	want := configs.LossTypes()
	got := LossTypes()
	if len(got) != len(want) {
		t.Errorf("builders computes %v, configs knows %v", got, want)
	}
	for _, name := range want {
		l, err := NewLoss(configs.Loss{Type: name})
		if err != nil || l.PerExample == nil {
			t.Errorf("NewLoss(%s) = %v, %v", name, l, err)
		}
	}
	if _, err := NewLoss(configs.Loss{Type: "dice"}); err == nil {
		t.Error("NewLoss(dice): no error")
	}
}

// After an earlier error a loss emits nothing and does not panic: the scope keeps the
// error for the caller.
func TestLossAfterError(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	s.Fail("an earlier layer failed")
	for _, name := range configs.LossTypes() {
		l, err := NewLoss(configs.Loss{Type: name})
		if err != nil {
			t.Fatal(err)
		}
		if out := l.Call(s, LossInput{YTrue: s.Placeholder("y", tf.Float, -1)}, tf.Output{}); out.Op != nil {
			t.Errorf("%s: an output after an error", name)
		}
	}
	if s.Err() == nil {
		t.Error("the scope lost its error")
	}
}

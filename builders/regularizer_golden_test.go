package builders

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// Tolerances of the regularizer golden: the loss is a sum of a few float32 reductions
// (Keras and tfrun sum in the same order, but TF's kernels may tile differently), within
// 1e-5 of values near 2; the gradients go through the softmax cross-entropy's and the
// convolution's backward kernels (Conv2DBackpropFilter sums 48 products per entry in
// an order of its own), so they get 1e-4.
const (
	regularizerLossTol = 1e-5
	regularizerGradTol = 1e-4
)

// The training loss of a model with kernel, bias and activity regularizers (L1, L2, L1L2)
// and its gradients match Keras 3.15.1's model.compute_loss and its tape gradients; the
// inference loss matches model.evaluate, which adds the penalties too.
func TestRegularizersKeras(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_regularizers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Keras, TensorFlow string
		InputShape        []int64 `json:"input_shape"`
		Input, Labels     []float64
		Weights           []struct {
			Path   string
			Shape  []int64
			Values []float64
		}
		CompiledLoss float64 `json:"compiled_loss"`
		Penalties    []float64
		Loss         float64
		EvaluateLoss float64 `json:"evaluate_loss"`
		Gradients    [][]float64
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s", g.Keras, g.TensorFlow)
	}
	conv := NewConv2D("conv2d", 2, [2]int{3, 3}, [2]int{1, 1}, "same")
	conv.KernelRegularizer = configs.Regularizer{L1: 1e-3, L2: 1e-2}
	conv.BiasRegularizer = configs.Regularizer{L2: 0.05}
	dense := NewDense("dense", 3, "softmax")
	dense.KernelRegularizer = configs.Regularizer{L2: 0.05}
	dense.BiasRegularizer = configs.Regularizer{L1: 0.02}
	dense.ActivityRegularizer = configs.Regularizer{L2: 0.01}
	model := NewSequential("sequential", conv, NewFlatten("flatten"), dense)

	gr := graphs.NewGraph(tf.Float, 1)
	s := gr.Root()
	if err := model.Build(s, shapeOf(g.InputShape[1:])); err != nil {
		t.Fatal(err)
	}
	x := s.Placeholder("x", tf.Float, append([]int64{-1}, g.InputShape[1:]...)...)
	y := s.Placeholder("y", tf.Float, -1)
	lc, _ := configs.NewLoss(configs.LossSparseCategoricalCrossentropy)
	loss, err := NewLoss(lc)
	if err != nil {
		t.Fatal(err)
	}
	lossOf := func(ls *graphs.Scope, training bool) (compiled, total tf.Output) {
		prob, logits := model.Call(x, training)
		compiled = loss.Call(ls, LossInput{YTrue: y, YPred: prob, Logits: logits, Activation: "softmax"}, tf.Output{})
		return compiled, AddPenalty(ls, compiled, model.AllLayers())
	}
	compiled, total := lossOf(s.Sub("train"), true)
	vars := model.TrainableVariables()
	var xs []tf.Output
	for _, v := range vars {
		xs = append(xs, s.Read(v))
	}
	grads, err := s.Gradients(total, xs)
	if err != nil {
		t.Fatal(err)
	}
	_, evalTotal := lossOf(s.Sub("eval"), false)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}

	sess, err := graphs.NewSession(gr, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	all := model.Variables()
	if len(all) != len(g.Weights) {
		t.Fatalf("%d variables, Keras %d", len(all), len(g.Weights))
	}
	values := make([]*tf.Tensor, len(all))
	for i, w := range g.Weights {
		if all[i].Name != w.Path {
			t.Errorf("variable %d: %s, Keras %s", i, all[i].Name, w.Path)
		}
		if values[i], err = graphs.NewTensor(float32s(w.Values), w.Shape...); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.Set(all, values); err != nil {
		t.Fatal(err)
	}
	xt, _ := graphs.NewTensor(float32s(g.Input), g.InputShape...)
	yt, _ := graphs.NewTensor(float32s(g.Labels), int64(len(g.Labels)))
	out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt, y: yt}, append([]tf.Output{compiled, total, evalTotal}, grads...))
	if err != nil {
		t.Fatal(err)
	}
	penalties := 0.0
	for _, p := range g.Penalties {
		penalties += p
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"compiled loss", graphs.Scalar64(out[0]), g.CompiledLoss},
		{"training loss", graphs.Scalar64(out[1]), g.Loss},
		{"inference loss", graphs.Scalar64(out[2]), g.EvaluateLoss},
		{"penalties", graphs.Scalar64(out[1]) - graphs.Scalar64(out[0]), penalties},
	} {
		d := math.Abs(c.got - c.want)
		t.Logf("%s %.8g, Keras %.8g, |diff| %.2g", c.name, c.got, c.want, d)
		if d > regularizerLossTol {
			t.Errorf("%s %.8g, Keras %.8g (|diff| %.2g > %g)", c.name, c.got, c.want, d, regularizerLossTol)
		}
	}
	if penalties < 0.1 {
		t.Errorf("penalties %g: too small to test anything", penalties)
	}
	for i, gt := range out[3:] {
		worst := 0.0
		for j, v := range graphs.Float64s(gt) {
			worst = math.Max(worst, math.Abs(v-g.Gradients[i][j]))
		}
		t.Logf("gradient of %s: max |diff| %.2g", vars[i].Name, worst)
		if worst > regularizerGradTol {
			t.Errorf("gradient of %s: max |tfrun − Keras| %.2g > %g", vars[i].Name, worst, regularizerGradTol)
		}
	}
}

// The penalty ops' gradients match central finite differences (float64), away from 0
// where |x| has no derivative (the random values are shifted off it).
func TestRegularizerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	for _, r := range []configs.Regularizer{{L1: 0.3}, {L2: 0.7}, {L1: 0.2, L2: 0.5}} {
		t.Run(r.String(), func(t *testing.T) {
			p := gradcheck.Random("x", rng, 1, 2, 3, 4)
			for i, v := range p.Values {
				if math.Abs(v) < 0.05 { // keep off |x|'s kink
					p.Values[i] = math.Copysign(0.05, v)
				}
			}
			worst, err := gradcheck.Check([]gradcheck.Param{p}, func(s *graphs.Scope, in []tf.Output) tf.Output {
				var reg Regularizers
				reg.ActivityRegularizer = r
				reg.recordActivity(s, in[0])
				return reg.penalty(s, in[0].DataType(), nil, nil)
			}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worst relative difference %.2g", worst)
		})
	}
}

// A layer called twice (a functional model's shared layer) adds its activity penalty for
// each call and its weight penalty once, as Keras's layer.losses does; Penalty forgets the
// activity penalties it reported, so the next forward pass starts afresh.
func TestRegularizerSharedLayer(t *testing.T) {
	shared := NewDense("shared", 3, "tanh")
	shared.KernelRegularizer = configs.Regularizer{L2: 0.1}
	shared.ActivityRegularizer = configs.Regularizer{L1: 0.5}
	m := NewFunctional("", []string{"x"}, []string{"join"},
		Node{Tensor: "a", Layer: NewDense("a", 4, "relu"), Call: []string{"x"}},
		Node{Tensor: "b", Layer: NewDense("b", 4, "relu"), Call: []string{"x"}},
		Node{Tensor: "sa", Layer: shared, Call: []string{"a"}},
		Node{Tensor: "sb", Layer: shared, Call: []string{"b"}},
		Node{Tensor: "join", Layer: NewConcatenate("join"), Call: []string{"sa", "sb"}},
	)
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	if err := m.Build(s, Shape{5}); err != nil {
		t.Fatal(err)
	}
	x := s.Placeholder("x", tf.Float, -1, 5)
	outs, _ := m.CallGraph(map[string]tf.Output{"x": x}, true)
	penalty := Penalty(s.Sub("p"), tf.Float, m.AllLayers())
	again := Penalty(s.Sub("q"), tf.Float, m.AllLayers()) // no call since: weights only
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.StartSession(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	rng := rand.New(rand.NewPCG(3, 3))
	xs := make([]float32, 4*5)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	xt, _ := graphs.NewTensor(xs, 4, 5)
	res, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{penalty, again, outs["join"], s.Read(shared.kernel)})
	if err != nil {
		t.Fatal(err)
	}
	sumAbs := func(t *tf.Tensor) (sum float64) {
		for _, v := range graphs.Float64s(t) {
			sum += math.Abs(v)
		}
		return sum
	}
	sumSq := 0.0
	for _, v := range graphs.Float64s(res[3]) {
		sumSq += v * v
	}
	weights := 0.1 * sumSq
	want := weights + 0.5*sumAbs(res[2])/4 // join holds both calls' outputs
	if got := graphs.Scalar64(res[0]); math.Abs(got-want) > 1e-5 {
		t.Errorf("penalty %.7g, want %.7g (kernel %.7g + both calls' activity)", got, want, weights)
	}
	if got := graphs.Scalar64(res[1]); math.Abs(got-weights) > 1e-6 {
		t.Errorf("penalty after no call %.7g, want the kernel's %.7g", got, weights)
	}
}

package graphs_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// kerasOptimizerCase is one case of testdata/keras_optimizers.json (made by
// testdata/keras/make_optimizer_golden.py): an optimizer config, two variables, three
// gradient pairs, and Keras 3's variables and slots after each step.
type kerasOptimizerCase struct {
	Name      string         `json:"name"`
	Config    map[string]any `json:"config"`
	Variables []struct {
		Name    string    `json:"name"`
		Shape   []int64   `json:"shape"`
		Initial []float64 `json:"initial"`
	} `json:"variables"`
	Gradients [][][]float64 `json:"gradients"` // [step][variable]
	Steps     []struct {
		Variables  [][]float64          `json:"variables"`
		Slots      map[string][]float64 `json:"slots"` // "<variable>/<slot>" or an optimizer scalar
		Iterations int64                `json:"iterations"`
	} `json:"steps"`
}

func loadKerasOptimizerCases(t *testing.T) []kerasOptimizerCase {
	t.Helper()
	b, err := os.ReadFile("testdata/keras_optimizers.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []kerasOptimizerCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("testdata/keras_optimizers.json: %v", err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("testdata/keras_optimizers.json has no cases")
	}
	return doc.Cases
}

// goldenOptimizer makes the optimizer a golden config describes, with graphs' default
// constants for the arguments it leaves out (so the cases with a type only check them
// against Keras's defaults).
func goldenOptimizer(s *graphs.Scope, cfg map[string]any) (graphs.Optimizer, error) {
	f := func(key string, def float64) float64 {
		if v, ok := cfg[key].(float64); ok {
			return v
		}
		return def
	}
	typ, _ := cfg["type"].(string)
	name := strings.ToLower(typ)
	var o graphs.Optimizer
	var opts *graphs.OptimizerOptions
	switch typ {
	case "Adam":
		a := graphs.NewAdam(s, name, f("learning_rate", graphs.AdamLearningRate), f("beta_1", graphs.AdamBeta1), f("beta_2", graphs.AdamBeta2), f("epsilon", graphs.AdamEpsilon))
		o, opts = a, &a.Options
	case "AdamW":
		a := graphs.NewAdamW(s, name, f("learning_rate", graphs.AdamWLearningRate), f("weight_decay", graphs.AdamWWeightDecay),
			f("beta_1", graphs.AdamBeta1), f("beta_2", graphs.AdamBeta2), f("epsilon", graphs.AdamEpsilon))
		o, opts = a, &a.Options
	case "Adagrad":
		a := graphs.NewAdagrad(s, name, f("learning_rate", graphs.AdagradLearningRate),
			f("initial_accumulator_value", graphs.AdagradInitialAccumulatorValue), f("epsilon", graphs.AdagradEpsilon))
		o, opts = a, &a.Options
	case "Adadelta":
		a := graphs.NewAdadelta(s, name, f("learning_rate", graphs.AdadeltaLearningRate), f("rho", graphs.AdadeltaRho), f("epsilon", graphs.AdadeltaEpsilon))
		o, opts = a, &a.Options
	case "Adamax":
		a := graphs.NewAdamax(s, name, f("learning_rate", graphs.AdamaxLearningRate), f("beta_1", graphs.AdamaxBeta1), f("beta_2", graphs.AdamaxBeta2), f("epsilon", graphs.AdamaxEpsilon))
		o, opts = a, &a.Options
	case "Nadam":
		a := graphs.NewNadam(s, name, f("learning_rate", graphs.NadamLearningRate), f("beta_1", graphs.NadamBeta1), f("beta_2", graphs.NadamBeta2), f("epsilon", graphs.NadamEpsilon))
		o, opts = a, &a.Options
	case "Lion":
		a := graphs.NewLion(s, name, f("learning_rate", graphs.LionLearningRate), f("beta_1", graphs.LionBeta1), f("beta_2", graphs.LionBeta2))
		o, opts = a, &a.Options
	case "SGD":
		nesterov, _ := cfg["nesterov"].(bool)
		a := graphs.NewSGD(s, name, f("learning_rate", graphs.SGDLearningRate), f("momentum", graphs.SGDMomentum), nesterov)
		o, opts = a, &a.Options
	case "RMSprop":
		a := graphs.NewRMSprop(s, name, f("learning_rate", graphs.RMSpropLearningRate), f("rho", graphs.RMSpropRho), f("momentum", graphs.RMSpropMomentum), f("epsilon", graphs.RMSpropEpsilon))
		o, opts = a, &a.Options
	default:
		return nil, fmt.Errorf("golden optimizer type %q", typ)
	}
	if typ != "AdamW" {
		opts.WeightDecay = f("weight_decay", 0)
	}
	opts.Clipnorm, opts.GlobalClipnorm, opts.Clipvalue = f("clipnorm", 0), f("global_clipnorm", 0), f("clipvalue", 0)
	return o, nil
}

// goldenProblem is a golden case's graph: its variables, the optimizer minimizing
// Σ var·g (whose gradient is exactly the fed g), in an initialised session.
type goldenProblem struct {
	vars  []*graphs.Variable
	grads []tf.Output // placeholders
	opt   graphs.Optimizer
	train *tf.Operation
	sess  *graphs.Session
}

func newGoldenProblem(t *testing.T, c kerasOptimizerCase) *goldenProblem {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	p := &goldenProblem{}
	var terms []tf.Output
	ds := s.Sub("dense")
	for _, v := range c.Variables {
		w := ds.NewVariable(v.Name, tf.Float, v.Shape, optValues(v.Initial), true)
		gr := s.Placeholder("g_"+v.Name, tf.Float, v.Shape...)
		prod := op.Mul(s.Op("Mul"), w.Value(), gr)
		terms = append(terms, op.Sum(s.Op("Sum"), op.Reshape(s.Op("Reshape"), prod, s.Const([]int32{-1})), s.Const(int32(0))))
		p.vars, p.grads = append(p.vars, w), append(p.grads, gr)
	}
	loss := op.AddN(s.Op("AddN"), terms)
	var err error
	if p.opt, err = goldenOptimizer(s, c.Config); err != nil {
		t.Fatal(err)
	}
	if p.train, err = p.opt.Minimize(s, loss, p.vars); err != nil {
		t.Fatalf("Minimize: %v", err)
	}
	p.sess = newInitializedSession(t, g)
	return p
}

func (p *goldenProblem) step(t *testing.T, c kerasOptimizerCase, step int) {
	t.Helper()
	feeds := map[tf.Output]*tf.Tensor{}
	for i, v := range c.Variables {
		x := make([]float32, len(c.Gradients[step][i]))
		for j, g := range c.Gradients[step][i] {
			x[j] = float32(g)
		}
		tt, err := graphs.NewTensor(x, v.Shape...)
		if err != nil {
			t.Fatal(err)
		}
		feeds[p.grads[i]] = tt
	}
	if _, err := p.sess.Run(feeds, nil, p.train); err != nil {
		t.Fatalf("step %d: %v", step+1, err)
	}
}

// optimizerVar returns the optimizer's variable whose name ends in "/"+suffix.
func optimizerVar(opt graphs.Optimizer, suffix string) *graphs.Variable {
	for _, v := range opt.Variables() {
		if strings.HasSuffix(v.Name, "/"+suffix) {
			return v
		}
	}
	return nil
}

// goldenTolerance is how far a case's values may be from Keras's, relative to the largest
// magnitude of the tensor compared: 1e-6, plus for an optimizer computed by a fused kernel
// the rounding of its 1 − β. Keras computes each update with element-wise float32 ops,
// tfrun with the same ops or with TensorFlow's fused kernels, which factor the formula
// differently (ResourceApplyAdam's lr·√(1−β2ᵗ)/(1−β1ᵗ), Adadelta's rsqrt): a few float32
// roundings (float32's ε is 1.2e-7), compounded over three steps, stay below 1e-6 of the
// largest value. The fused kernels also take 1 − β in float32 from float32 β, where Keras
// rounds 1 − β once from Python's double: for Adam's β2 = 0.999, 1 − float32(0.999) is
// 0.00099998713, 1.3e-5 below float32(0.001), which moves v (and, through √v, the
// update) by that much relative. A wrong formula, default or slot moves a value by far more.
func goldenTolerance(cfg map[string]any) float64 {
	beta := func(key string, def float64) float64 {
		b := def
		if v, ok := cfg[key].(float64); ok {
			b = v
		}
		keras := float64(float32(1 - b))
		return math.Abs(keras-(1-float64(float32(b)))) / keras
	}
	tol := 1e-6
	switch cfg["type"] {
	case "Adam", "AdamW":
		tol += max(beta("beta_1", graphs.AdamBeta1), beta("beta_2", graphs.AdamBeta2))
	case "Adamax":
		tol += beta("beta_1", graphs.AdamaxBeta1)
	case "Adadelta":
		tol += beta("rho", graphs.AdadeltaRho)
	case "RMSprop":
		tol += beta("rho", graphs.RMSpropRho)
	}
	return tol
}

func compareGolden(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); d > tol*scale || math.IsNaN(got[i]) {
			t.Errorf("%s[%d]: got %.9g, Keras %.9g (error %.2g of the largest value, tolerance %.2g)", what, i, got[i], want[i], d/scale, tol)
		}
	}
}

// Every optimizer (with its defaults, with other arguments, with each clipping mode and
// weight decay) updates the variables and its slots as Keras 3 does, over three steps.
func TestOptimizersMatchKeras(t *testing.T) {
	for _, c := range loadKerasOptimizerCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			p := newGoldenProblem(t, c)
			tol := goldenTolerance(c.Config)
			for step, want := range c.Steps {
				p.step(t, c, step)
				for i, v := range p.vars {
					out, err := p.sess.Get(v)
					if err != nil {
						t.Fatal(err)
					}
					compareGolden(t, fmt.Sprintf("step %d: %s", step+1, v.Name), graphs.Float64s(out[0]), want.Variables[i], tol)
				}
				for _, key := range sortedKeys(want.Slots) {
					sv := optimizerVar(p.opt, key)
					if sv == nil {
						t.Fatalf("no optimizer variable .../%s (have %v)", key, varNames(p.opt.Variables()))
					}
					out, err := p.sess.Get(sv)
					if err != nil {
						t.Fatal(err)
					}
					compareGolden(t, fmt.Sprintf("step %d: %s", step+1, sv.Name), graphs.Float64s(out[0]), want.Slots[key], tol)
				}
				out, err := p.sess.Get(p.opt.Variables()[0])
				if err != nil {
					t.Fatal(err)
				}
				if got := graphs.Value(out[0]).(int64); got != want.Iterations {
					t.Errorf("step %d: iterations %d, want %d", step+1, got, want.Iterations)
				}
			}
		})
	}
}

// The optimizer's Variables are all its state: restored into a fresh graph after two
// steps (as -resume restores a checkpoint), the third step gives bit for bit what an
// uninterrupted run gives.
func TestOptimizersResumeBitForBit(t *testing.T) {
	for _, c := range loadKerasOptimizerCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			straight := newGoldenProblem(t, c)
			for step := range c.Steps {
				straight.step(t, c, step)
			}
			first := newGoldenProblem(t, c)
			first.step(t, c, 0)
			first.step(t, c, 1)
			saved := append(slices.Clone(first.vars), first.opt.Variables()...)
			values, err := first.sess.Get(saved...)
			if err != nil {
				t.Fatal(err)
			}
			resumed := newGoldenProblem(t, c)
			restored := append(slices.Clone(resumed.vars), resumed.opt.Variables()...)
			if got, want := varNames(restored), varNames(saved); !slices.Equal(got, want) {
				t.Fatalf("a fresh graph's variables %v, want the saved %v", got, want)
			}
			if err := resumed.sess.Set(restored, values); err != nil {
				t.Fatal(err)
			}
			resumed.step(t, c, 2)
			all := append(slices.Clone(straight.vars), straight.opt.Variables()...)
			want, err := straight.sess.Get(all...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := resumed.sess.Get(restored...)
			if err != nil {
				t.Fatal(err)
			}
			for i := range all {
				if g, w := fmt.Sprint(graphs.Value(got[i])), fmt.Sprint(graphs.Value(want[i])); g != w {
					t.Errorf("%s after resuming: %s, want %s", all[i].Name, g, w)
				}
			}
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func varNames(vs []*graphs.Variable) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

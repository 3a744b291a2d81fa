package graphs_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// The optimizer tests minimise loss = sum((w - target)²) for a 3-element float64 kernel,
// whose gradient is g = 2·(w - target), and compare every step with a plain-Go
// implementation of the update formula each optimizer's doc comment states (and Keras 3's
// update_step computes).

var (
	optStart  = []float64{1.5, -2.0, 0.75}
	optTarget = []float64{0.5, 1.0, -3.0}
)

// optValues is an Initializer with fixed values, for a variable's known starting point.
type optValues []float64

func (v optValues) Values(shape []int64, _ *rand.Rand) ([]float64, error) {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	if n != len(v) {
		return nil, fmt.Errorf("optValues: %d values for shape %v", len(v), shape)
	}
	return append([]float64(nil), v...), nil
}

// optReference applies one update to w in place, given the gradient and the step's
// learning rate; it keeps its own slot state.
type optReference func(w, g []float64, lr float64)

// adamReference is Keras's Adam: t the 1-based step,
// m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², w ← w − lr·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v+ε̂).
func adamReference(b1, b2, eps float64) optReference {
	var m, v []float64
	t := 0
	return func(w, g []float64, lr float64) {
		if m == nil {
			m, v = make([]float64, len(w)), make([]float64, len(w))
		}
		t++
		alpha := lr * math.Sqrt(1-math.Pow(b2, float64(t))) / (1 - math.Pow(b1, float64(t)))
		for i := range w {
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			w[i] -= alpha * m[i] / (math.Sqrt(v[i]) + eps)
		}
	}
}

// rmspropReference is TensorFlow's ResourceApplyRMSProp:
// ms ← ρ·ms + (1−ρ)·g², mom ← μ·mom + lr·g/√(ms+ε), w ← w − mom.
func rmspropReference(rho, momentum, eps float64) optReference {
	var ms, mom []float64
	return func(w, g []float64, lr float64) {
		if ms == nil {
			ms, mom = make([]float64, len(w)), make([]float64, len(w))
		}
		for i := range w {
			ms[i] = rho*ms[i] + (1-rho)*g[i]*g[i]
			mom[i] = momentum*mom[i] + lr*g[i]/math.Sqrt(ms[i]+eps)
			w[i] -= mom[i]
		}
	}
}

// sgdReference is Keras's SGD: w ← w − lr·g without momentum; with momentum μ,
// m ← μ·m − lr·g and w ← w + m, or w ← w + μ·m − lr·g (the updated m) with Nesterov.
func sgdReference(momentum float64, nesterov bool) optReference {
	var m []float64
	return func(w, g []float64, lr float64) {
		if m == nil {
			m = make([]float64, len(w))
		}
		for i := range w {
			if momentum == 0 {
				w[i] -= lr * g[i]
				continue
			}
			m[i] = momentum*m[i] - lr*g[i]
			if nesterov {
				w[i] += momentum*m[i] - lr*g[i]
			} else {
				w[i] += m[i]
			}
		}
	}
}

type optCase struct {
	name   string
	lr     float64
	newOpt func(s *graphs.Scope, lr float64) graphs.Optimizer
	newRef func() optReference
}

var optCases = []optCase{
	{
		name: "adam",
		lr:   0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdam(s, "adam", lr, 0.9, 0.999, 1e-7)
		},
		newRef: func() optReference { return adamReference(0.9, 0.999, 1e-7) },
	},
	{
		name: "adam large epsilon",
		lr:   0.05,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdam(s, "adam", lr, 0.8, 0.99, 0.5)
		},
		newRef: func() optReference { return adamReference(0.8, 0.99, 0.5) },
	},
	{
		name: "rmsprop",
		lr:   0.01,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewRMSprop(s, "rmsprop", lr, 0.9, 0, 1e-7)
		},
		newRef: func() optReference { return rmspropReference(0.9, 0, 1e-7) },
	},
	{
		name: "rmsprop momentum large epsilon",
		lr:   0.01,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewRMSprop(s, "rmsprop", lr, 0.8, 0.5, 0.25)
		},
		newRef: func() optReference { return rmspropReference(0.8, 0.5, 0.25) },
	},
	{
		name:   "sgd",
		lr:     0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer { return graphs.NewSGD(s, "sgd", lr, 0, false) },
		newRef: func() optReference { return sgdReference(0, false) },
	},
	{
		name:   "sgd momentum",
		lr:     0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer { return graphs.NewSGD(s, "sgd", lr, 0.9, false) },
		newRef: func() optReference { return sgdReference(0.9, false) },
	},
	{
		name:   "sgd nesterov",
		lr:     0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer { return graphs.NewSGD(s, "sgd", lr, 0.9, true) },
		newRef: func() optReference { return sgdReference(0.9, true) },
	},
}

// optProblem is the graph of one optimizer test: the kernel, the optimizer and its train
// op, in an initialised session.
type optProblem struct {
	w     *graphs.Variable
	opt   graphs.Optimizer
	train *tf.Operation
	sess  *graphs.Session
}

func newOptProblem(t *testing.T, c optCase) *optProblem {
	t.Helper()
	g := graphs.NewGraph(tf.Double, 1)
	s := g.Root()
	w := s.Sub("dense").NewVariable("kernel", tf.Double, []int64{3}, optValues(optStart), true)
	diff := op.Sub(s.Op("Sub"), w.Value(), s.Const(optTarget))
	loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), diff), s.Const([]int32{0}))
	opt := c.newOpt(s, c.lr)
	train, err := opt.Minimize(s, loss, []*graphs.Variable{w})
	if err != nil {
		t.Fatalf("Minimize: %v", err)
	}
	return &optProblem{w: w, opt: opt, train: train, sess: newInitializedSession(t, g)}
}

func (p *optProblem) weights(t *testing.T) []float64 {
	t.Helper()
	out, err := p.sess.Get(p.w)
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Float64s(out[0])
}

func (p *optProblem) iterations(t *testing.T) int64 {
	t.Helper()
	out, err := p.sess.Get(p.opt.Variables()[0])
	if err != nil {
		t.Fatal(err)
	}
	n, ok := out[0].Value().(int64)
	if !ok {
		t.Fatalf("iterations is %T, want int64", out[0].Value())
	}
	return n
}

// runOptimizer takes one step per entry of lrs (the learning rate set before that step)
// and compares the kernel and the iteration counter after each step with the reference.
func runOptimizer(t *testing.T, c optCase, lrs []float64) {
	p := newOptProblem(t, c)
	if got := p.weights(t); !optClose(got, optStart) {
		t.Fatalf("initial kernel: got %v, want %v", got, optStart)
	}
	ref := c.newRef()
	want := append([]float64(nil), optStart...)
	for step, lr := range lrs {
		if lr != c.lr {
			if err := p.sess.SetScalar(p.opt.LearningRate(), lr); err != nil {
				t.Fatalf("step %d: SetScalar(learning_rate, %g): %v", step+1, lr, err)
			}
		}
		g := make([]float64, len(want))
		for i := range want {
			g[i] = 2 * (want[i] - optTarget[i])
		}
		ref(want, g, lr)
		if _, err := p.sess.Run(nil, nil, p.train); err != nil {
			t.Fatalf("step %d: %v", step+1, err)
		}
		if got := p.weights(t); !optClose(got, want) {
			t.Errorf("step %d (lr %g): kernel got %.17g, want %.17g", step+1, lr, got, want)
		}
		if got := p.iterations(t); got != int64(step+1) {
			t.Errorf("step %d: iterations got %d, want %d", step+1, got, step+1)
		}
	}
}

// optClose compares to 1e-12 relative (the test keeps every value well away from 0).
func optClose(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Abs(want[i]) {
			return false
		}
	}
	return true
}

func TestOptimizerSteps(t *testing.T) {
	for _, c := range optCases {
		t.Run(c.name, func(t *testing.T) {
			runOptimizer(t, c, []float64{c.lr, c.lr, c.lr})
		})
	}
}

// The learning-rate variable is what ReduceLROnPlateau changes: a new value set between
// steps is the one the next step uses, and the slots carry over.
func TestOptimizerLearningRateVariable(t *testing.T) {
	for _, c := range optCases {
		t.Run(c.name, func(t *testing.T) {
			p := newOptProblem(t, c)
			lrVar := p.opt.LearningRate()
			out, err := p.sess.Get(lrVar)
			if err != nil {
				t.Fatal(err)
			}
			if got := graphs.Scalar64(out[0]); got != c.lr {
				t.Errorf("learning_rate: got %g, want %g", got, c.lr)
			}
			if lrVar.Trainable {
				t.Errorf("learning_rate is trainable")
			}
			runOptimizer(t, c, []float64{c.lr, c.lr / 4, c.lr / 4, 2 * c.lr})
		})
	}
}

// The iteration counter comes first among the optimizer's variables, is an int64 scalar
// starting at 0, and nothing the optimizer owns is trainable.
func TestOptimizerVariables(t *testing.T) {
	for _, c := range optCases {
		t.Run(c.name, func(t *testing.T) {
			p := newOptProblem(t, c)
			vars := p.opt.Variables()
			if len(vars) < 2 {
				t.Fatalf("Variables: got %d, want at least iterations and learning_rate", len(vars))
			}
			it := vars[0]
			if it.DType != tf.Int64 || len(it.Shape) != 0 {
				t.Errorf("Variables()[0] %q: got %v %v, want an int64 scalar", it.Name, it.DType, it.Shape)
			}
			if !strings.HasSuffix(it.Name, "/iterations") {
				t.Errorf("Variables()[0]: got %q, want .../iterations", it.Name)
			}
			if got := p.iterations(t); got != 0 {
				t.Errorf("iterations before training: got %d, want 0", got)
			}
			for _, v := range vars {
				if v.Trainable {
					t.Errorf("optimizer variable %q is trainable", v.Name)
				}
			}
		})
	}
}

func TestOptimizerRejectsNonTrainable(t *testing.T) {
	for _, c := range optCases {
		t.Run(c.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Double, 1)
			s := g.Root()
			w := s.Sub("batch_normalization").NewVariable("moving_mean", tf.Double, []int64{3}, optValues(optStart), false)
			diff := op.Sub(s.Op("Sub"), w.Value(), s.Const(optTarget))
			loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), diff), s.Const([]int32{0}))
			train, err := c.newOpt(s, c.lr).Minimize(s, loss, []*graphs.Variable{w})
			if err == nil {
				t.Fatalf("Minimize on a non-trainable variable: got op %v, want an error", train.Name())
			}
			if !strings.Contains(err.Error(), w.Name) || !strings.Contains(err.Error(), "not trainable") {
				t.Errorf("error: got %q, want it to name %q and say it is not trainable", err, w.Name)
			}
		})
	}
}

func TestOptimizerRejectsNoVariables(t *testing.T) {
	g := graphs.NewGraph(tf.Double, 1)
	s := g.Root()
	loss := s.Scalar(1)
	if _, err := graphs.NewSGD(s, "sgd", 0.1, 0, false).Minimize(s, loss, nil); err == nil {
		t.Errorf("Minimize with no variables: got nil error, want one")
	}
}

// Keras 3's defaults (keras/src/optimizers/adam.py, rmsprop.py, sgd.py).
func TestOptimizerDefaults(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"AdamLearningRate", graphs.AdamLearningRate, 0.001},
		{"AdamBeta1", graphs.AdamBeta1, 0.9},
		{"AdamBeta2", graphs.AdamBeta2, 0.999},
		{"AdamEpsilon", graphs.AdamEpsilon, 1e-7},
		{"RMSpropLearningRate", graphs.RMSpropLearningRate, 0.001},
		{"RMSpropRho", graphs.RMSpropRho, 0.9},
		{"RMSpropMomentum", graphs.RMSpropMomentum, 0.0},
		{"RMSpropEpsilon", graphs.RMSpropEpsilon, 1e-7},
		{"SGDLearningRate", graphs.SGDLearningRate, 0.01},
		{"SGDMomentum", graphs.SGDMomentum, 0.0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %g, want %g", c.got, c.want)
			}
		})
	}
}

// An optimizer minimizing two losses for the same variable (a GAN's discriminator on real,
// then on generated images) keeps one state: one set of slots, one iteration counter, and
// each update continues from the other's moments, as Keras's apply_gradients called twice.
func TestOptimizerTwoLossesShareState(t *testing.T) {
	other := []float64{-1.0, 2.5, 0.25}
	for _, c := range optCases {
		t.Run(c.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Double, 1)
			s := g.Root()
			w := s.Sub("dense").NewVariable("kernel", tf.Double, []int64{3}, optValues(optStart), true)
			lossTo := func(target []float64) tf.Output {
				diff := op.Sub(s.Op("Sub"), w.Value(), s.Const(target))
				return op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), diff), s.Const([]int32{0}))
			}
			opt := c.newOpt(s, c.lr)
			first, err := opt.Minimize(s, lossTo(optTarget), []*graphs.Variable{w})
			if err != nil {
				t.Fatal(err)
			}
			nvars := len(opt.Variables())
			second, err := opt.Minimize(s, lossTo(other), []*graphs.Variable{w})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(opt.Variables()); got != nvars {
				t.Fatalf("a second Minimize made %d optimizer variables, want the first's %d", got, nvars)
			}
			sess := newInitializedSession(t, g)
			p := &optProblem{w: w, opt: opt, sess: sess}
			ref := c.newRef()
			want := append([]float64(nil), optStart...)
			for step, train := range []*tf.Operation{first, second, second, first} {
				target := optTarget
				if train == second {
					target = other
				}
				grad := make([]float64, len(want))
				for i := range want {
					grad[i] = 2 * (want[i] - target[i])
				}
				ref(want, grad, c.lr)
				if _, err := sess.Run(nil, nil, train); err != nil {
					t.Fatal(err)
				}
				if got := p.weights(t); !optClose(got, want) {
					t.Errorf("update %d: kernel got %.17g, want %.17g", step+1, got, want)
				}
				if got := p.iterations(t); got != int64(step+1) {
					t.Errorf("update %d: iterations got %d, want %d", step+1, got, step+1)
				}
			}
		})
	}
}

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

// adamwReference is Keras's AdamW: w ← w − w·wd·lr, then Adam's step.
func adamwReference(wd, b1, b2, eps float64) optReference {
	adam := adamReference(b1, b2, eps)
	return func(w, g []float64, lr float64) {
		for i := range w {
			w[i] -= w[i] * wd * lr
		}
		adam(w, g, lr)
	}
}

// adagradReference is Keras 3's Adagrad: acc ← acc + g², w ← w − lr·g/√(acc+ε).
func adagradReference(initial, eps float64) optReference {
	var acc []float64
	return func(w, g []float64, lr float64) {
		if acc == nil {
			acc = make([]float64, len(w))
			for i := range acc {
				acc[i] = initial
			}
		}
		for i := range w {
			acc[i] += g[i] * g[i]
			w[i] -= lr * g[i] / math.Sqrt(acc[i]+eps)
		}
	}
}

// adadeltaReference is Keras 3's Adadelta: ag ← ρ·ag + (1−ρ)·g², d ← √(ad+ε)/√(ag+ε)·g,
// ad ← ρ·ad + (1−ρ)·d², w ← w − lr·d.
func adadeltaReference(rho, eps float64) optReference {
	var ag, ad []float64
	return func(w, g []float64, lr float64) {
		if ag == nil {
			ag, ad = make([]float64, len(w)), make([]float64, len(w))
		}
		for i := range w {
			ag[i] = rho*ag[i] + (1-rho)*g[i]*g[i]
			d := math.Sqrt(ad[i]+eps) / math.Sqrt(ag[i]+eps) * g[i]
			ad[i] = rho*ad[i] + (1-rho)*d*d
			w[i] -= lr * d
		}
	}
}

// adamaxReference is Keras 3's Adamax: m ← β1·m + (1−β1)·g, u ← max(β2·u, |g|),
// w ← w − lr/(1−β1ᵗ)·m/(u+ε).
func adamaxReference(b1, b2, eps float64) optReference {
	var m, u []float64
	t := 0
	return func(w, g []float64, lr float64) {
		if m == nil {
			m, u = make([]float64, len(w)), make([]float64, len(w))
		}
		t++
		for i := range w {
			m[i] = b1*m[i] + (1-b1)*g[i]
			u[i] = math.Max(b2*u[i], math.Abs(g[i]))
			w[i] -= lr / (1 - math.Pow(b1, float64(t))) * m[i] / (u[i] + eps)
		}
	}
}

// nadamReference is Keras 3's Nadam: μₜ = β1·(1 − ½·0.96ᵗ), Π the product of the μ so far,
// m̂ = μₜ₊₁·m/(1 − Π·μₜ₊₁) + (1−μₜ)·g/(1 − Π), v̂ = v/(1−β2ᵗ), w ← w − lr·m̂/(√v̂+ε).
func nadamReference(b1, b2, eps float64) optReference {
	var m, v []float64
	t, prod := 0, 1.0
	return func(w, g []float64, lr float64) {
		if m == nil {
			m, v = make([]float64, len(w)), make([]float64, len(w))
		}
		t++
		mu := func(t int) float64 { return b1 * (1 - 0.5*math.Pow(0.96, float64(t))) }
		prod *= mu(t)
		for i := range w {
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			mHat := mu(t+1)*m[i]/(1-prod*mu(t+1)) + (1-mu(t))*g[i]/(1-prod)
			vHat := v[i] / (1 - math.Pow(b2, float64(t)))
			w[i] -= lr * mHat / (math.Sqrt(vHat) + eps)
		}
	}
}

// lionReference is Keras 3's Lion: w ← w − lr·sign(β1·m + (1−β1)·g), m ← β2·m + (1−β2)·g.
func lionReference(b1, b2 float64) optReference {
	var m []float64
	return func(w, g []float64, lr float64) {
		if m == nil {
			m = make([]float64, len(w))
		}
		for i := range w {
			c := b1*m[i] + (1-b1)*g[i]
			switch {
			case c > 0:
				w[i] -= lr
			case c < 0:
				w[i] += lr
			}
			m[i] = b2*m[i] + (1-b2)*g[i]
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
	{
		name: "adamw",
		lr:   0.05,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdamW(s, "adamw", lr, 0.2, 0.9, 0.999, 1e-7)
		},
		newRef: func() optReference { return adamwReference(0.2, 0.9, 0.999, 1e-7) },
	},
	{
		name: "adagrad",
		lr:   0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdagrad(s, "adagrad", lr, 0.1, 1e-7)
		},
		newRef: func() optReference { return adagradReference(0.1, 1e-7) },
	},
	{
		name:   "adagrad large epsilon",
		lr:     0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer { return graphs.NewAdagrad(s, "adagrad", lr, 0, 0.5) },
		newRef: func() optReference { return adagradReference(0, 0.5) },
	},
	{
		name: "adadelta",
		lr:   1.0,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdadelta(s, "adadelta", lr, 0.95, 1e-7)
		},
		newRef: func() optReference { return adadeltaReference(0.95, 1e-7) },
	},
	{
		name: "adadelta large epsilon",
		lr:   0.5,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdadelta(s, "adadelta", lr, 0.8, 0.1)
		},
		newRef: func() optReference { return adadeltaReference(0.8, 0.1) },
	},
	{
		name: "adamax",
		lr:   0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdamax(s, "adamax", lr, 0.9, 0.999, 1e-7)
		},
		newRef: func() optReference { return adamaxReference(0.9, 0.999, 1e-7) },
	},
	{
		name: "adamax large epsilon",
		lr:   0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewAdamax(s, "adamax", lr, 0.7, 0.8, 0.5)
		},
		newRef: func() optReference { return adamaxReference(0.7, 0.8, 0.5) },
	},
	{
		name: "nadam",
		lr:   0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewNadam(s, "nadam", lr, 0.9, 0.999, 1e-7)
		},
		newRef: func() optReference { return nadamReference(0.9, 0.999, 1e-7) },
	},
	{
		name: "nadam large epsilon",
		lr:   0.05,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer {
			return graphs.NewNadam(s, "nadam", lr, 0.8, 0.99, 0.5)
		},
		newRef: func() optReference { return nadamReference(0.8, 0.99, 0.5) },
	},
	{
		name:   "lion",
		lr:     0.1,
		newOpt: func(s *graphs.Scope, lr float64) graphs.Optimizer { return graphs.NewLion(s, "lion", lr, 0.9, 0.99) },
		newRef: func() optReference { return lionReference(0.9, 0.99) },
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
	n, ok := graphs.Value(out[0]).(int64)
	if !ok {
		t.Fatalf("iterations is %T, want int64", graphs.Value(out[0]))
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

// Keras 3's defaults (keras/src/optimizers/*.py, Keras 3.15.1).
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
		{"AdamWLearningRate", graphs.AdamWLearningRate, 0.001},
		{"AdamWWeightDecay", graphs.AdamWWeightDecay, 0.004},
		{"AdagradLearningRate", graphs.AdagradLearningRate, 0.001},
		{"AdagradInitialAccumulatorValue", graphs.AdagradInitialAccumulatorValue, 0.1},
		{"AdagradEpsilon", graphs.AdagradEpsilon, 1e-7},
		{"AdadeltaLearningRate", graphs.AdadeltaLearningRate, 0.001},
		{"AdadeltaRho", graphs.AdadeltaRho, 0.95},
		{"AdadeltaEpsilon", graphs.AdadeltaEpsilon, 1e-7},
		{"AdamaxLearningRate", graphs.AdamaxLearningRate, 0.001},
		{"AdamaxBeta1", graphs.AdamaxBeta1, 0.9},
		{"AdamaxBeta2", graphs.AdamaxBeta2, 0.999},
		{"AdamaxEpsilon", graphs.AdamaxEpsilon, 1e-7},
		{"NadamLearningRate", graphs.NadamLearningRate, 0.001},
		{"NadamBeta1", graphs.NadamBeta1, 0.9},
		{"NadamBeta2", graphs.NadamBeta2, 0.999},
		{"NadamEpsilon", graphs.NadamEpsilon, 1e-7},
		{"LionLearningRate", graphs.LionLearningRate, 0.001},
		{"LionBeta1", graphs.LionBeta1, 0.9},
		{"LionBeta2", graphs.LionBeta2, 0.99},
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

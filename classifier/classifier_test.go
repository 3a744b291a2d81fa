package classifier

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// fit trains c on train with runner's loop (validating on val), in a temporary run
// directory, as a classifier run does.
func fit(t *testing.T, ctx context.Context, c *Classifier, train, val *Dataset, epochs, batchSize int) (*runner.History, error) {
	t.Helper()
	cfg := &configs.Config{Name: "fit", Task: configs.TaskClassifier, Seed: 1, Checkpoint: configs.Checkpoint{Every: 1000, Keep: 1}}
	r, err := runner.Begin(cfg, runner.Options{OutDir: t.TempDir()}, runner.Schedule{Epochs: epochs, BatchSize: batchSize, Shuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.Fit(ctx, &training{Classifier: c, train: train, val: val, batchSize: batchSize}, runner.FitSpec{Examples: train.Len()})
}

// twoMoons makes scikit-learn's two interleaving half circles with Gaussian noise.
func twoMoons(n int, noise float64, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 3))
	d := &Dataset{Shape: builders.Shape{2}, Floats: make([]float32, 2*n), Labels: make([]float32, n)}
	for i := 0; i < n; i++ {
		t := math.Pi * rng.Float64()
		x, y := math.Cos(t), math.Sin(t)
		if i%2 == 1 {
			x, y = 1-x, 0.5-y
			d.Labels[i] = 1
		}
		d.Floats[2*i] = float32(x + noise*rng.NormFloat64())
		d.Floats[2*i+1] = float32(y + noise*rng.NormFloat64())
	}
	return d
}

// A small MLP learns a nonlinear problem through the real library, with Adam, to > 95%.
func TestTwoMoonsMLP(t *testing.T) {
	train, test := twoMoons(1000, 0.1, 1), twoMoons(500, 0.1, 2)
	c, err := NewClassifier(ClassifierSpec{
		Layers: []builders.Layer{
			builders.NewDense("dense", 16, "tanh"),
			builders.NewDense("dense_1", 16, "tanh"),
			builders.NewDense("dense_2", 1, "sigmoid"),
		},
		Input: builders.Shape{2}, Seed: 1, Threads: 1,
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) {
			return graphs.NewAdam(s, "adam", 0.01, graphs.AdamBeta1, graphs.AdamBeta2, graphs.AdamEpsilon), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before, _, err := c.Evaluate(test, 100)
	if err != nil {
		t.Fatal(err)
	}
	h, err := fit(t, context.Background(), c, train, test, 40, 32)
	if err != nil {
		t.Fatal(err)
	}
	loss, acc, err := c.Evaluate(test, 100)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test loss %.4f → %.4f, accuracy %.4f", before, loss, acc)
	if acc < 0.95 {
		t.Errorf("test accuracy %.4f, want > 0.95", acc)
	}
	if len(h.Epochs) != 40 || len(h.Metrics["val_accuracy"]) != 40 {
		t.Errorf("history has %d epochs, %d val_accuracy values; want 40", len(h.Epochs), len(h.Metrics["val_accuracy"]))
	}
}

// The loop stops on a cancelled context and says so; before the first step there is
// nothing to save.
func TestFitInterrupted(t *testing.T) {
	c, err := NewClassifier(ClassifierSpec{
		Layers: []builders.Layer{builders.NewDense("dense", 1, "sigmoid")},
		Input:  builders.Shape{2}, Seed: 1,
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) {
			return graphs.NewSGD(s, "sgd", 0.01, 0, false), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = fit(t, ctx, c, twoMoons(100, 0.1, 1), nil, 1, 10)
	var ie *runner.InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, runner.ErrInterrupted) || ie.Saved != "" {
		t.Fatalf("err = %v, want an interruption with nothing saved", err)
	}
}

// The last layer must be a sigmoid Dense(1) for binary cross-entropy.
func TestClassifierRejectsWrongHead(t *testing.T) {
	_, err := NewClassifier(ClassifierSpec{
		Layers: []builders.Layer{builders.NewDense("dense", 2, "softmax")},
		Input:  builders.Shape{2},
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return graphs.NewSGD(s, "sgd", 0.01, 0, false), nil },
	})
	if err == nil {
		t.Fatal("no error for a softmax Dense(2) head with binary_crossentropy")
	}
}

package classifier

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// cancelAt cancels the run's context after its step-th training step.
type cancelAt struct {
	runner.NopCallback
	step   int64
	cancel func()
}

func (c cancelAt) Name() string { return "cancel_at" }
func (c cancelAt) OnBatchEnd(_ runner.Trainer, step int64, _ runner.Logs) error {
	if step == c.step {
		c.cancel()
	}
	return nil
}

// TestWorkerInterruptedMidRun: a replica that is not the chief, interrupted in the middle
// of an epoch, says where it stopped (and that it saves nothing), not "before the first
// step". (The loop's side of a replica: the model trains in one process here.)
func TestWorkerInterruptedMidRun(t *testing.T) {
	jobs := map[string][]string{distributed.JobWorker: {"127.0.0.1:1", "127.0.0.1:2"}}
	worker, err := distributed.NewCluster(jobs, distributed.Task{Job: distributed.JobWorker, Index: 1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(ClassifierSpec{
		Layers: []builders.Layer{builders.NewDense("dense", 1, "sigmoid")},
		Input:  builders.Shape{2}, Seed: 1, Threads: 1,
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return graphs.NewSGD(s, "sgd", 0.01, 0, false), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out strings.Builder
	cfg := &configs.Config{Name: "worker", Task: configs.TaskClassifier, Seed: 1, Checkpoint: configs.Checkpoint{Every: 1000, Keep: 1}}
	o := runner.Options{OutDir: t.TempDir(), Cluster: worker, Out: &out, Callbacks: []runner.Callback{cancelAt{step: 3, cancel: cancel}}}
	r, err := runner.Begin(cfg, o, runner.Schedule{Epochs: 2, BatchSize: 10, Shuffle: true, Distributed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	train := twoMoons(100, 0.1, 1)
	_, err = r.Fit(ctx, &training{Classifier: c, train: train, batchSize: 10}, runner.FitSpec{Examples: train.Len()})
	var ie *runner.InterruptedError
	if !errors.As(err, &ie) || !ie.Replica || ie.Saved != "" {
		t.Fatalf("err = %#v, want a replica's interruption with nothing saved", err)
	}
	const want = "training interrupted at epoch 1, step 3 (this replica saves nothing; the chief saves)"
	if err.Error() != want || !strings.Contains(out.String(), "Interrupted at epoch 1/2, step 3/10: this replica saves nothing") {
		t.Errorf("error %q, log %q; want %q", err, out.String(), want)
	}
}

package runner

import (
	"errors"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/distributed"
)

func TestReplicaOptions(t *testing.T) {
	jobs := map[string][]string{distributed.JobWorker: {"127.0.0.1:2222", "127.0.0.1:2223"}}
	chief, err := distributed.NewCluster(jobs, distributed.Task{Job: distributed.JobWorker})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := chief.ForTask(distributed.Task{Job: distributed.JobWorker, Index: 1})
	if err != nil {
		t.Fatal(err)
	}
	if isWorker(Options{}) || isWorker(Options{Cluster: chief}) || !isWorker(Options{Cluster: worker}) {
		t.Errorf("isWorker: only a cluster's non-chief task is a worker")
	}
	if err := checkDistributed(Options{Cluster: chief}, Schedule{}); !errors.Is(err, distributed.ErrBadConfig) {
		t.Errorf("a model without cluster support on a cluster: %v, want ErrBadConfig", err)
	}
	if err := checkDistributed(Options{Cluster: chief}, Schedule{Distributed: true}); err != nil {
		t.Errorf("a classifier on a cluster: %v", err)
	}
	if err := checkDistributed(Options{}, Schedule{}); err != nil {
		t.Errorf("one process: %v", err)
	}
}

// TestPrepareWorker: a non-chief replica applies the -resume policy to the chief's
// checkpoint directory without writing or locking it.
func TestPrepareWorker(t *testing.T) {
	o := checkpoints.Options{Dir: t.TempDir()}
	for _, tc := range []struct {
		name string
		p    checkpoints.Policy
		want error
	}{
		{"fresh", checkpoints.Policy{}, nil},
		{"resume without a checkpoint", checkpoints.Policy{Resume: true}, checkpoints.ErrNoCheckpoint},
		{"resume or start", checkpoints.Policy{ResumeOrStart: true}, nil},
	} {
		info, unlock, err := prepareWorker(o, tc.p)
		if !errors.Is(err, tc.want) || (tc.want == nil && (info != nil || unlock == nil)) {
			t.Errorf("%s: info %v, err %v; want no checkpoint and err %v", tc.name, info, err, tc.want)
		}
		if unlock != nil {
			unlock()
		}
	}
	// The chief holds the directory's lock: the worker does not need it.
	release, err := checkpoints.Lock(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, _, err := prepareWorker(o, checkpoints.Policy{ResumeOrStart: true}); err != nil {
		t.Errorf("with the chief's lock held: %v", err)
	}
}

// TestInterruptedErrorMessages: an interrupted replica that is not the chief says where it
// stopped, not "before the first step", though it saved nothing.
func TestInterruptedErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  InterruptedError
		want string
	}{
		{"before the first step", InterruptedError{}, "training interrupted before the first step (nothing to save)"},
		{"saved", InterruptedError{At: Position{Epoch: 1, Batch: 7}, Saved: "ckpt-23"}, "training interrupted at epoch 2, step 7 (saved ckpt-23)"},
		{"replica mid-run", InterruptedError{At: Position{Epoch: 2, Batch: 5}, Replica: true},
			"training interrupted at epoch 3, step 5 (this replica saves nothing; the chief saves)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if !errors.Is(&tc.err, ErrInterrupted) {
			t.Errorf("%s: does not unwrap to ErrInterrupted", tc.name)
		}
	}
}

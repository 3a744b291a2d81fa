package distributed

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWatchdog(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker, Index: 1}) // worker 0 never listens
	w := Watchdog{Cluster: c, Bound: 200 * time.Millisecond}
	if err := w.Run(func() error { return nil }); err != nil {
		t.Errorf("a step that succeeds: %v", err)
	}

	tfErr := errors.New("From /job:worker/replica:0/task:1:\nCollective ops is aborted by: failed to connect to all addresses\nAdditional GRPC error information from remote target /job:worker/replica:0/task:0:\n{...}")
	err := w.Run(func() error { return tfErr })
	if !errors.Is(err, tfErr) || !errors.Is(err, ErrUnreachable) {
		t.Errorf("a failed step: %v; want it to wrap the step's error and ErrUnreachable", err)
	}
	want := "distributed: task /job:worker/task:1: From /job:worker/replica:0/task:1: Collective ops is aborted by: failed to connect to all addresses; unreachable: /job:worker/task:0 (" + c.Jobs[JobWorker][0] + ")"
	if !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "GRPC") {
		t.Errorf("a failed step: %q, want it to start %q without the gRPC dump", err, want)
	}

	block := make(chan struct{})
	defer close(block)
	start := time.Now()
	err = w.Run(func() error { <-block; return nil })
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a blocked step was given up on after %v, want about 200 ms", took)
	}
	if !errors.Is(err, ErrStepTimeout) || !strings.Contains(err.Error(), "step did not finish within 200ms") {
		t.Errorf("a blocked step: %v, want ErrStepTimeout", err)
	}
}

package distributed

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestWaitForPeers(t *testing.T) {
	c := newCluster(t, 1, 2, Task{Job: JobWorker, Index: 0})
	// Nobody listens: the bound ends the wait, naming the chief and worker 1 (not itself).
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.WaitForPeers(ctx)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("WaitForPeers took %v past a 300 ms bound", took)
	}
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("WaitForPeers = %v, want ErrUnreachable", err)
	}
	for _, want := range []string{"/job:chief/task:0 (" + c.Jobs[JobChief][0] + ")", "/job:worker/task:1 (" + c.Jobs[JobWorker][1] + ")"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "/job:worker/task:0") {
		t.Errorf("error %q names the task itself", err)
	}
	// The peers come up a little later: the wait ends when they do.
	go func() {
		time.Sleep(200 * time.Millisecond)
		for _, addr := range []string{c.Jobs[JobChief][0], c.Jobs[JobWorker][1]} {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(func() { l.Close() })
		}
	}()
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitForPeers(ctx); err != nil {
		t.Errorf("WaitForPeers with the peers up: %v", err)
	}
}

package distributed

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestWaitForPeers: the wait names the missing tasks (not itself) when its context ends,
// and ends when the peers come up, without a notice when they do within the grace.
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
	// Cancelled (tfrun: a signal): the error says so to errors.Is, for the exit code.
	cctx, ccancel := context.WithCancelCause(context.Background())
	stop := errors.New("interrupt")
	time.AfterFunc(200*time.Millisecond, func() { ccancel(stop) })
	err = c.WaitForPeers(cctx)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, stop) || !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrStartupTimeout) {
		t.Errorf("WaitForPeers cancelled: %v, want context.Canceled, its cause and ErrUnreachable", err)
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
	notices := &timedWriter{start: time.Now()}
	c.Notices = notices
	if err := c.WaitForPeers(ctx); err != nil {
		t.Errorf("WaitForPeers with the peers up: %v", err)
	}
	if len(notices.lines) > 0 {
		t.Errorf("peers up within the grace, yet notices: %q", notices.lines)
	}
}

// timedWriter records each Write and when it came.
type timedWriter struct {
	lines []string
	at    []time.Duration
	start time.Time
}

func (w *timedWriter) Write(p []byte) (int, error) {
	w.lines = append(w.lines, string(p))
	w.at = append(w.at, time.Since(w.start))
	return len(p), nil
}

// TestWaitForPeersStartupTimeout: a peer that never starts ends the wait at the
// cluster's StartupTimeout with ErrStartupTimeout (and ErrUnreachable) naming it and its
// address; meanwhile the notices name it, the first after the grace, then at most one an
// interval.
func TestWaitForPeersStartupTimeout(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker, Index: 0}) // worker 1 never listens
	addr := c.Jobs[JobWorker][1]
	const (
		timeout = 2 * time.Second
		grace   = 200 * time.Millisecond
		every   = 500 * time.Millisecond
	)
	notices := &timedWriter{start: time.Now()}
	c.StartupTimeout, c.Notices = timeout, notices
	err := c.waitForPeers(context.Background(), grace, every)
	took := time.Since(notices.start)
	if took < timeout || took > timeout+2*time.Second {
		t.Errorf("the wait ended after %v, want %v (+ one probe)", took, timeout)
	}
	if !errors.Is(err, ErrStartupTimeout) || !errors.Is(err, ErrUnreachable) {
		t.Fatalf("WaitForPeers = %v, want ErrStartupTimeout and ErrUnreachable", err)
	}
	want := "distributed: the cluster did not start within 2s: unreachable: /job:worker/task:1 (" + addr + "): connection refused"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}

	// Notices at about 0.2, 0.7, 1.2, 1.7 s: at least 2 (on a loaded machine), never two
	// within the interval, each naming the missing task.
	t.Logf("notices at %v", notices.at)
	if n := len(notices.lines); n < 2 {
		t.Errorf("%d notices in %v with a grace of %v and an interval of %v, want at least 2: %q", n, took, grace, every, notices.lines)
	}
	for i, line := range notices.lines {
		prefix := "distributed: task /job:worker/task:0 waiting for the cluster to start ("
		if !strings.HasPrefix(line, prefix) || !strings.Contains(line, "giving up at 2s): unreachable: /job:worker/task:1 ("+addr+"): connection refused") || !strings.HasSuffix(line, "\n") {
			t.Errorf("notice %d: %q, want a line naming /job:worker/task:1 (%s) and the bound", i, line, addr)
		}
		if i == 0 && notices.at[0] < grace {
			t.Errorf("first notice after %v, before the grace of %v", notices.at[0], grace)
		}
		if i > 0 && notices.at[i]-notices.at[i-1] < every {
			t.Errorf("notices %d and %d %v apart, want at least %v", i-1, i, notices.at[i]-notices.at[i-1], every)
		}
	}
}

// TestWaitForPeersNoLimit: StartupTimeout 0 waits until the context ends, saying "no limit".
func TestWaitForPeersNoLimit(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker, Index: 1})
	notices := &timedWriter{start: time.Now()}
	c.StartupTimeout, c.Notices = 0, notices
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	err := c.waitForPeers(ctx, 0, time.Hour)
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrStartupTimeout) || !strings.Contains(err.Error(), "/job:worker/task:0") {
		t.Errorf("WaitForPeers = %v, want ErrUnreachable naming /job:worker/task:0, not ErrStartupTimeout", err)
	}
	if len(notices.lines) != 1 || !strings.Contains(notices.lines[0], "(0s so far, no limit): unreachable: /job:worker/task:0") {
		t.Errorf("notices %q, want one at once (grace 0) saying no limit", notices.lines)
	}
}

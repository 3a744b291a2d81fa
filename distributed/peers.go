package distributed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// dialTimeout bounds one connection attempt to a peer.
const dialTimeout = time.Second

// pollInterval is how often WaitForPeers tries again.
const pollInterval = 100 * time.Millisecond

// Unreachable lists the other tasks of the cluster whose address does not accept a TCP
// connection now, each with the dial error, in replica order. It dials them all at once
// and returns within about a second (dialTimeout), or when ctx ends.
func (c *Cluster) Unreachable(ctx context.Context) []TaskError {
	tasks := c.Tasks()
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks {
		if t == c.Task {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			dctx, cancel := context.WithTimeout(ctx, dialTimeout)
			defer cancel()
			var d net.Dialer
			conn, err := d.DialContext(dctx, "tcp", c.Jobs[t.Job][t.Index])
			if err != nil {
				errs[i] = err
				return
			}
			conn.Close()
		}()
	}
	wg.Wait()
	var out []TaskError
	for i, t := range tasks {
		if errs[i] != nil {
			out = append(out, TaskError{Task: t, Address: c.Jobs[t.Job][t.Index], Err: errs[i]})
		}
	}
	return out
}

// DefaultStartupTimeout is how long WaitForPeers waits for the other tasks unless the
// Cluster's StartupTimeout says otherwise (tfrun's -startup-timeout).
const DefaultStartupTimeout = 10 * time.Minute

// How WaitForPeers tells who it waits for (on Cluster.Notices): a first notice once the
// wait has lasted startupNoticeGrace, so that tasks started together, which serve within
// seconds of each other, start without one; then one every startupNoticeEvery at most.
const (
	startupNoticeGrace = 5 * time.Second
	startupNoticeEvery = 30 * time.Second
)

// WaitForPeers waits until every other task of the cluster accepts connections: the start
// barrier of a run. TensorFlow itself would wait forever for a group leader that never
// starts (a non-leader's first collective step retries the leader without end, TF issue
// #22407), and a task whose peer never starts (a Kubernetes pod never scheduled) must not.
//
// The wait is bounded by c.StartupTimeout (0: none) and by ctx. When the bound passes, the
// error names the tasks still unreachable with their addresses and the dial errors, and
// wraps both [ErrStartupTimeout] and [ErrUnreachable]; when ctx ends first, it wraps
// [ErrUnreachable] and ctx's error (context.Canceled when a signal stopped the run). While it waits, it writes to c.Notices (when set) which tasks it still
// waits for: first after 5 s, then every 30 s at most.
func (c *Cluster) WaitForPeers(ctx context.Context) error {
	return c.waitForPeers(ctx, startupNoticeGrace, startupNoticeEvery)
}

// waitForPeers is WaitForPeers with the notices' grace and interval as arguments (tests
// shrink them).
func (c *Cluster) waitForPeers(ctx context.Context, grace, every time.Duration) error {
	start := time.Now()
	var expired <-chan time.Time
	if c.StartupTimeout > 0 {
		timer := time.NewTimer(c.StartupTimeout)
		defer timer.Stop()
		expired = timer.C
	}
	nextNotice := start.Add(grace)
	for {
		// A probe takes at most dialTimeout, so the bound is overrun by that at most;
		// the error names what the last whole probe found.
		missing := c.Unreachable(ctx)
		if len(missing) == 0 {
			return nil
		}
		if now := time.Now(); c.Notices != nil && !now.Before(nextNotice) {
			c.notice(now.Sub(start), missing)
			nextNotice = now.Add(every)
		}
		select {
		case <-ctx.Done():
			return stoppedWaitError(ctx, missing)
		case <-expired:
			return startupTimeoutError(c.StartupTimeout, missing)
		case <-time.After(pollInterval):
		}
	}
}

// notice writes one line naming the tasks still missing after waited: "distributed: task
// /job:worker/task:0 waiting for the cluster to start (30s so far, giving up at 10m0s):
// unreachable: /job:worker/task:1 (127.0.0.1:1): connection refused".
func (c *Cluster) notice(waited time.Duration, missing []TaskError) {
	limit := "no limit"
	if c.StartupTimeout > 0 {
		limit = fmt.Sprintf("giving up at %v", c.StartupTimeout)
	}
	fmt.Fprintf(c.Notices, "distributed: task %s waiting for the cluster to start (%v so far, %s): %s\n",
		c.Task, waited.Round(time.Second), limit, unreachableKind(missing).msg)
}

// startupTimeoutError is WaitForPeers' error when its bound passed: "distributed: the
// cluster did not start within 30s: unreachable: /job:worker/task:1 (127.0.0.1:1):
// connection refused", wrapping ErrStartupTimeout and ErrUnreachable.
func startupTimeoutError(timeout time.Duration, missing []TaskError) error {
	u := unreachableKind(missing)
	return &Error{Where: fmt.Sprintf("distributed: the cluster did not start within %v", timeout),
		Err: &stepError{msg: u.msg, errs: []error{ErrStartupTimeout, u}}}
}

// TaskError is one task that could not be reached.
type TaskError struct {
	Task    Task
	Address string
	Err     error
}

// String is "/job:worker/task:1 (127.0.0.1:5): connection refused": the dial error
// without the address and operation the rest already says.
func (e TaskError) String() string {
	return fmt.Sprintf("%s (%s): %v", e.Task, e.Address, dialReason(e.Err))
}

// dialReason is the cause inside a dial error: "connection refused", "i/o timeout", "lookup
// h: no such host".
func dialReason(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	var sc *os.SyscallError
	if errors.As(err, &sc) && sc.Err != nil {
		err = sc.Err
	}
	return err
}

// stoppedWaitError is WaitForPeers' error when ctx ended the wait: "distributed: waiting
// for the cluster to start: unreachable: /job:worker/task:1 (127.0.0.1:5): connection
// refused", wrapping ErrUnreachable, ctx's error (context.Canceled on a signal) and its
// cause.
func stoppedWaitError(ctx context.Context, missing []TaskError) error {
	u := unreachableKind(missing)
	errs := []error{u, ctx.Err()}
	if cause := context.Cause(ctx); cause != ctx.Err() {
		errs = append(errs, cause)
	}
	return &Error{Where: "distributed: waiting for the cluster to start", Err: &stepError{msg: u.msg, errs: errs}}
}

// unreachableKind is the message "unreachable: <task> (<addr>): <err>; ..." wrapping
// ErrUnreachable.
func unreachableKind(missing []TaskError) *kindError {
	parts := make([]string, len(missing))
	for i, m := range missing {
		parts[i] = m.String()
	}
	return &kindError{kind: ErrUnreachable, msg: "unreachable: " + strings.Join(parts, "; ")}
}

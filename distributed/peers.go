package distributed

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

// dialTimeout bounds one connection attempt to a peer.
const dialTimeout = time.Second

// pollInterval is how often WaitForPeers tries again.
const pollInterval = 100 * time.Millisecond

// Unreachable lists the other tasks of the cluster whose address does not accept a TCP
// connection now, each with the dial error, in replica order. It returns within about a
// second (or when ctx ends).
func (c *Cluster) Unreachable(ctx context.Context) []TaskError {
	var out []TaskError
	var d net.Dialer
	for _, t := range c.Tasks() {
		if t == c.Task {
			continue
		}
		addr := c.Jobs[t.Job][t.Index]
		dctx, cancel := context.WithTimeout(ctx, dialTimeout)
		conn, err := d.DialContext(dctx, "tcp", addr)
		cancel()
		if err != nil {
			out = append(out, TaskError{Task: t, Address: addr, Err: err})
			continue
		}
		conn.Close()
	}
	return out
}

// WaitForPeers waits until every other task of the cluster accepts connections, polling
// until ctx ends. It is the start barrier of a run: TensorFlow itself would wait forever
// for a group leader that never starts (a non-leader's first collective step retries the
// leader without end, TF issue #22407). The error names the tasks still unreachable and
// wraps [ErrUnreachable].
func (c *Cluster) WaitForPeers(ctx context.Context) error {
	for {
		missing := c.Unreachable(ctx)
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return unreachableError(missing, "waiting for the cluster to start")
		case <-time.After(pollInterval):
		}
	}
}

// TaskError is one task that could not be reached.
type TaskError struct {
	Task    Task
	Address string
	Err     error
}

func (e TaskError) String() string {
	return fmt.Sprintf("%s (%s): %v", e.Task, e.Address, e.Err)
}

// unreachableError names the unreachable tasks: "distributed: waiting for the cluster to
// start: unreachable: /job:worker/task:1 (127.0.0.1:5): connection refused".
func unreachableError(missing []TaskError, doing string) error {
	return &Error{Where: "distributed: " + doing, Err: unreachableKind(missing)}
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

package distributed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Watchdog bounds the session runs of one replica and, when one fails, names the tasks
// that are gone.
//
// TensorFlow bounds most of what a collective step waits for with the collectives'
// timeout_seconds ("Collective has timed out waiting for other workers"), but not all: a
// non-leader's step first asks the group leader for step ids and retries that without end
// or cancellation while the leader is unreachable (MasterSession::NewStepId); neither the
// collectives' timeout nor ConfigProto.operation_timeout_in_ms interrupts it (measured). So
// each run goes through Run, which gives up after Bound. A run given up on is still blocked inside TensorFlow;
// after any error from Run the session, and in practice the process, must stop (a
// collective that timed out also leaves the server's collectives aborted for good:
// "Restart your program to reset").
type Watchdog struct {
	Cluster *Cluster
	// Bound is the longest a run may take: above the slowest honest step, and below the
	// collectives' own timeout_seconds so that a stalled peer is named here before
	// TensorFlow aborts the collective (see NewReplica).
	Bound time.Duration
}

// Run runs step (one session run) and returns its error, or an [ErrStepTimeout] error if
// it has not returned within w.Bound. Either error is explained: the tasks that do not
// accept connections any more are named (and the error then also wraps
// [ErrUnreachable]), and TensorFlow's message is cut to its first lines.
func (w Watchdog) Run(step func() error) error {
	done := make(chan error, 1)
	go func() { done <- step() }()
	timer := time.NewTimer(w.Bound)
	defer timer.Stop()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		return w.explain(err)
	case <-timer.C:
		return w.explain(&kindError{kind: ErrStepTimeout, msg: fmt.Sprintf(
			"step did not finish within %v (a task of the cluster is gone or stalled)", w.Bound)})
	}
}

// explainWait bounds how long explain looks for the task that failed a step. A killed
// peer's port can still accept connections for a moment after the collective saw its
// connection reset (the kernel closes a dying process's sockets last), so explain probes
// until a peer is unreachable or this has passed.
const explainWait = 2 * time.Second

// explain wraps err with the task's name and the unreachable peers.
func (w Watchdog) explain(err error) error {
	// Each probe's dials have their own timeout (dialTimeout), so a probe cut short by the
	// deadline never reports a live peer as unreachable.
	deadline := time.Now().Add(explainWait)
	missing := w.Cluster.Unreachable(context.Background())
	for len(missing) == 0 && time.Now().Before(deadline) {
		time.Sleep(pollInterval)
		missing = w.Cluster.Unreachable(context.Background())
	}
	msg := shortTFError(err)
	errs := []error{err}
	if len(missing) > 0 {
		u := unreachableKind(missing)
		msg += "; " + u.msg
		errs = append(errs, u)
	}
	return &Error{Where: fmt.Sprintf("distributed: task %s", w.Cluster.Task), Err: &stepError{msg: msg, errs: errs}}
}

// stepError keeps a short message and unwraps to every cause.
type stepError struct {
	msg  string
	errs []error
}

func (e *stepError) Error() string   { return e.msg }
func (e *stepError) Unwrap() []error { return e.errs }

// shortTFError keeps what TensorFlow's distributed error says, without the repeated log
// excerpt and gRPC dumps it appends.
func shortTFError(err error) string {
	var k *kindError
	if errors.As(err, &k) {
		return k.msg
	}
	msg := err.Error()
	for _, cut := range []string{"\nRecent warning and error logs", "\nAdditional GRPC error information", "\nThe error could be from a previous operation"} {
		if i := strings.Index(msg, cut); i >= 0 {
			msg = msg[:i]
		}
	}
	return strings.Join(strings.Fields(msg), " ")
}

package distributed

import (
	"fmt"
	"io"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/activationkernel"
	"github.com/tfrun/tfrun/graphs/convkernel"
	"github.com/tfrun/tfrun/graphs/dropoutkernel"
)

// Replica is what a model trained as one replica of a cluster shares with every other
// kind of model, the way Keras's MultiWorkerMirroredStrategy trains:
//
//   - each replica trains on its slice of every global batch: replica i of N takes rows
//     [i·B/N, (i+1)·B/N), so the examples and their order are a one-process run's;
//   - its graph is a replica's (graphs.Graph.SetReplica): random draws are the global
//     batch's cut to its rows, synchronized BatchNormalization sums across the replicas;
//   - the optimizers' gradients are summed across the replicas before they are applied
//     (graphs.Graph.SetGradientAggregator); the model scales each loss by the replica's
//     share of the global batch (graphs.Scope.ReplicaShare), so the sum is the gradient of
//     the global batch's mean loss, applied identically everywhere;
//   - every training run goes through the watchdog.
//
// The model says which logs to reduce; this type holds the pieces.
type Replica struct {
	Cluster   *Cluster
	Server    *Server
	AllReduce *AllReduce
	dog       Watchdog
	lost      bool // a step failed: the session may hold a run TensorFlow never ends
}

// How a replica's runs are bounded. The watchdog gives up on a run after the collective
// timeout + runSlack (the slack covers an honest step's own time) and names the task.
// TensorFlow's own collective timeout is only a backstop, set beyond the watchdog's bound
// and its explanation: when TensorFlow aborts a collective that timed out it can crash the
// process (a segmentation fault in 3 of 8 runs of TestDistributedChiefStalled at ff09d27,
// TensorFlow 2.18) before tfrun has said which task stopped.
const (
	runSlack      = 5 * time.Second
	backstopSlack = explainWait + 5*time.Second
)

// NewReplica makes g the graph of srv's task in its cluster, with training runs bounded
// by timeout (0: DefaultTimeout) + runSlack through the watchdog, and TensorFlow's
// collectives by that + backstopSlack. Call it before building the model.
func NewReplica(g *graphs.Graph, srv *Server, timeout time.Duration) *Replica {
	c := srv.Cluster()
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	bound := timeout + runSlack
	r := &Replica{Cluster: c, Server: srv, AllReduce: NewAllReduce(c, bound+backstopSlack),
		dog: Watchdog{Cluster: c, Bound: bound}}
	g.SetReplica(func(s *graphs.Scope, xs []tf.Output) []tf.Output { return r.AllReduce.Sum(s, xs...) })
	g.SetGradientAggregator(func(s *graphs.Scope, grads []tf.Output) []tf.Output {
		return r.AllReduce.Sum(s.Sub("allreduce_gradients"), grads...)
	})
	return r
}

// Part is this replica's rows [lo, hi) of n: of a global batch, or of an evaluation set.
func (r *Replica) Part(n int) (lo, hi int) {
	k, i := r.Cluster.NumReplicas(), r.Cluster.ReplicaIndex()
	return i * n / k, (i + 1) * n / k
}

// Step returns this replica's examples of the global batch idx and the feeds that place
// them in it (graphs.Graph.ReplicaFeeds). A last global batch smaller than the cluster can
// leave a replica no rows; it still runs the step's collectives, on a stand-in row weighted
// 0 (an empty batch's mean is NaN), so mine is then idx[:1].
func (r *Replica) Step(g *graphs.Graph, idx []int) (mine []int, feeds map[tf.Output]*tf.Tensor, err error) {
	lo, hi := r.Part(len(idx))
	mine = idx[lo:hi]
	if len(mine) == 0 {
		mine = idx[:1]
	}
	if feeds, err = g.ReplicaFeeds(len(idx), lo, hi); err != nil {
		return nil, nil, err
	}
	if feeds == nil {
		feeds = map[tf.Output]*tf.Tensor{}
	}
	return mine, feeds, nil
}

// Run runs one training run (a session run with collectives) under the watchdog; after a
// failure the replica is lost.
func (r *Replica) Run(step func() error) error {
	if err := r.dog.Run(step); err != nil {
		r.lost = true
		return fmt.Errorf("%w (a replica cannot go on after a failed collective step: restart every task with -resume)", err)
	}
	return nil
}

// Lost reports whether a training run failed: the session may then hold a run TensorFlow
// never ends, so it must be left to the process's exit rather than closed.
func (r *Replica) Lost() bool { return r.lost }

// StartServer starts c's task's TensorFlow server with threads intra-op threads (0:
// TensorFlow's choice) and says so on out (nil: silent). TensorFlow cannot stop a started server: it
// serves until the process exits. tfrun's own Dropout mask, activation gradient and
// convolution filter gradient kernels (graphs/dropoutkernel, graphs/activationkernel,
// graphs/convkernel) are registered first, so the server can run the graph partitions
// that hold them.
func StartServer(c *Cluster, threads int, out io.Writer) (*Server, error) {
	if err := dropoutkernel.Register(); err != nil {
		return nil, err
	}
	if err := activationkernel.Register(); err != nil {
		return nil, err
	}
	if err := convkernel.Register(); err != nil {
		return nil, err
	}
	srv, err := NewServer(c, ServerOptions{IntraOpThreads: threads})
	if err != nil {
		return nil, err
	}
	if out != nil {
		fmt.Fprintf(out, "Replica %d of %d: task %s serving on %s (chief: %s)\n", c.ReplicaIndex(), c.NumReplicas(), c.Task, c.Address(), c.Leader())
	}
	return srv, nil
}

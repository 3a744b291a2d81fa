package classifier

import (
	"context"
	"fmt"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// replica is what a classifier trained as one replica of a cluster adds to its graph and
// its steps, the way Keras's MultiWorkerMirroredStrategy trains a compiled model:
//
//   - each replica trains on its slice of every global batch (train.batch_size): replica i
//     of N takes rows [i·B/N, (i+1)·B/N), so the examples and their order are a one-process
//     run's;
//   - its loss is its slice's summed per-example loss divided by the global batch's size
//     (the batch mean times the share fed in share), and the optimizer's gradients are
//     summed across the replicas (graphs.GradientAggregator) before they are applied: the
//     gradient of the global batch's mean loss, applied identically everywhere, so the
//     weights stay the same on every replica;
//   - the logged loss and metrics are the replicas' shares summed, and the stateful
//     metrics' counts summed: the global batch's values, the same on every replica.
//
// Every collective of a step is in the training run, built in the same order on every
// replica (the instance keys agree); validation and test evaluation run no collective:
// every replica evaluates the whole set with the same weights and gets the same numbers.
type replica struct {
	cluster *distributed.Cluster
	server  *distributed.Server
	ar      *distributed.AllReduce
	dog     distributed.Watchdog
	share   tf.Output // this replica's rows / the global batch's rows
	// totals and summed: an evaluation's totals (float64) and their sum over the replicas.
	totals, summed tf.Output
	lost           bool // a step failed: the session may hold a run TensorFlow never ends
}

// DefaultCollectiveTimeout bounds each all-reduce of a training step (see
// distributed.DefaultTimeout); a step is given up on after twice it plus 5 s.
const DefaultCollectiveTimeout = distributed.DefaultTimeout

// newReplica prepares g for training as srv's task with collectives bounded by timeout.
func newReplica(g *graphs.Graph, srv *distributed.Server, timeout time.Duration) *replica {
	c := srv.Cluster()
	if timeout <= 0 {
		timeout = DefaultCollectiveTimeout
	}
	r := &replica{cluster: c, server: srv, ar: distributed.NewAllReduce(c, timeout),
		dog: distributed.Watchdog{Cluster: c, Bound: 2*timeout + 5*time.Second}}
	g.SetReplica(c.ReplicaIndex())
	r.share = g.Root().Placeholder("replica_share", g.DType())
	r.totals = g.Root().Placeholder("replica_eval_totals", tf.Double, -1)
	r.summed = r.ar.Sum(g.Root().Sub("allreduce_eval"), r.totals)[0]
	g.SetGradientAggregator(func(s *graphs.Scope, grads []tf.Output) []tf.Output {
		return r.ar.Sum(s.Sub("allreduce_gradients"), grads...)
	})
	return r
}

// scaled is a batch mean weighted by this replica's share of the global batch.
func (r *replica) scaled(s *graphs.Scope, mean tf.Output) tf.Output {
	return op.Mul(s.Op("Mul"), mean, r.share)
}

// counted is a batch's counts, or zeros when the replica's share is 0 (see replicaStep).
func (r *replica) counted(s *graphs.Scope, counts tf.Output) tf.Output {
	return op.Mul(s.Op("Mul"), counts, op.Cast(s.Op("Cast"), op.Sign(s.Op("Sign"), r.share), counts.DataType()))
}

// slice is replica's rows of a global batch idx.
func (r *replica) slice(idx []int) []int {
	n, i := r.cluster.NumReplicas(), r.cluster.ReplicaIndex()
	return idx[i*len(idx)/n : (i+1)*len(idx)/n]
}

// rows is this replica's part [lo, hi) of an evaluation over n examples.
func (r *replica) rows(n int) (lo, hi int) {
	k, i := r.cluster.NumReplicas(), r.cluster.ReplicaIndex()
	return i * n / k, (i + 1) * n / k
}

// sum adds totals (the same length on every replica) across the replicas.
func (r *replica) sum(sess *graphs.Session, totals []float64) ([]float64, error) {
	t, err := tf.NewTensor(totals)
	if err != nil {
		return nil, err
	}
	var out []*tf.Tensor
	if err := r.run(func() error {
		var err error
		out, err = sess.Run(map[tf.Output]*tf.Tensor{r.totals: t}, []tf.Output{r.summed})
		return err
	}); err != nil {
		return nil, err
	}
	return out[0].Value().([]float64), nil
}

// run runs a training step under the watchdog; after a failure the replica is lost.
func (r *replica) run(step func() error) error {
	if err := r.dog.Run(step); err != nil {
		r.lost = true
		return fmt.Errorf("%w (a replica cannot go on after a failed collective step: restart every task with -resume)", err)
	}
	return nil
}

// PeerWait bounds how long a replica waits at the start for the other tasks' servers
// (they load their data first).
const PeerWait = 5 * time.Minute

// startReplica starts this task's TensorFlow server, builds the classifier on it and waits
// until every other task of the cluster serves: the start of a replica's run.
func startReplica(ctx context.Context, cfg *configs.Config, o runner.Options, train *Dataset, seed int64) (*Classifier, error) {
	cl := o.Cluster
	srv, err := distributed.NewServer(cl, distributed.ServerOptions{IntraOpThreads: o.Threads})
	if err != nil {
		return nil, err
	}
	// srv.Close is left to the process's exit: TensorFlow cannot stop a started server.
	fmt.Fprintf(o.Out, "Replica %d of %d: task %s serving on %s (chief: %s)\n", cl.ReplicaIndex(), cl.NumReplicas(), cl.Task, cl.Address(), cl.Leader())
	c, err := fromConfig(cfg, train.Shape, train.Ints != nil, seed, o.Threads, srv, o.CollectiveTimeout)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, PeerWait)
	defer cancel()
	if err := cl.WaitForPeers(wctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// replicaStep trains on this replica's slice of the global batch idx.
func (t *training) replicaStep(idx []int) (runner.Logs, runner.Counts, error) {
	mine := t.rep.slice(idx)
	share := float32(len(mine)) / float32(len(idx))
	if len(mine) == 0 {
		// A last global batch smaller than the cluster leaves this replica no rows; it
		// still runs the step's collectives, on one row weighted 0 (an empty batch's mean
		// is NaN). Its rows do move a BatchNormalization's moving statistics.
		mine = idx[:1]
	}
	x, y, err := t.train.batch(mine)
	if err != nil {
		return nil, nil, err
	}
	shareT, err := tf.NewTensor(share)
	if err != nil {
		return nil, nil, err
	}
	return t.trainBatchLogs(map[tf.Output]*tf.Tensor{t.x: x, t.y: y, t.rep.share: shareT})
}

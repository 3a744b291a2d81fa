package classifier

import (
	"context"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
	"github.com/tfrun/tfrun/runner"
)

// replica is what a classifier trained as one replica of a cluster adds to its graph and
// its steps, besides what every replica does (distributed.Replica: its slice of every
// global batch, dropout masks and BatchNormalization statistics of the global batch,
// gradients summed across the replicas):
//
//   - its loss is its slice's mean weighted by its share of the global batch (summed
//     per-example loss ÷ the global batch's size), so the summed gradients are those of
//     the global batch's mean loss;
//   - the logged loss and metrics are the replicas' shares summed, and the stateful
//     metrics' counts summed: the global batch's values, the same on every replica;
//   - validation and test evaluation split the set across the replicas and sum the
//     totals (one more collective, float64).
//
// Every collective of a training step is in the training run, built in the same order on
// every replica, so the instance keys agree.
type replica struct {
	*distributed.Replica
	// totals and summed: an evaluation's totals (float64) and their sum over the replicas.
	totals, summed tf.Output
}

// DefaultCollectiveTimeout bounds each all-reduce of a training step (see
// distributed.DefaultTimeout); a step is given up on after twice it plus 5 s.
const DefaultCollectiveTimeout = distributed.DefaultTimeout

// newReplica prepares g for training as srv's task with collectives bounded by timeout.
func newReplica(g *graphs.Graph, srv *distributed.Server, timeout time.Duration) *replica {
	r := &replica{Replica: distributed.NewReplica(g, srv, timeout)}
	r.totals = g.Root().Placeholder("replica_eval_totals", tf.Double, -1)
	r.summed = r.AllReduce.Sum(g.Root().Sub("allreduce_eval"), r.totals)[0]
	return r
}

// scaled is a batch mean weighted by this replica's share of the global batch.
func (r *replica) scaled(s *graphs.Scope, mean tf.Output) tf.Output {
	return op.Mul(s.Op("Mul"), mean, s.ReplicaShare())
}

// counted is a batch's counts, or zeros when the replica trains on a stand-in row.
func (r *replica) counted(s *graphs.Scope, counts tf.Output) tf.Output {
	return op.Mul(s.Op("Mul"), counts, op.Cast(s.Op("Cast"), s.ReplicaRowWeight(), counts.DataType()))
}

// sum adds totals (the same length on every replica) across the replicas.
func (r *replica) sum(sess *graphs.Session, totals []float64) ([]float64, error) {
	t, err := tf.NewTensor(totals)
	if err != nil {
		return nil, err
	}
	var out []*tf.Tensor
	if err := r.Run(func() error {
		var err error
		out, err = sess.Run(map[tf.Output]*tf.Tensor{r.totals: t}, []tf.Output{r.summed})
		return err
	}); err != nil {
		return nil, err
	}
	return graphs.Value(out[0]).([]float64), nil
}

// startReplica starts this task's TensorFlow server, builds the classifier on it and waits
// until every other task of the cluster serves: the start of a replica's run.
func startReplica(ctx context.Context, cfg *configs.Config, o runner.Options, train *Dataset, seed int64, k kernelChoice) (*Classifier, error) {
	// tfrun's kernels are in the registry before the server can run anything.
	if err := lstmkernel.Register(); err != nil {
		return nil, err
	}
	srv, err := distributed.StartServer(o.Cluster, o.Threads, o.Out)
	if err != nil {
		return nil, err
	}
	c, err := fromConfig(cfg, train.Shape, train.Ints != nil, seed, o.Threads, srv, o.CollectiveTimeout, k)
	if err != nil {
		return nil, err
	}
	if err := o.Cluster.WaitForPeers(ctx); err != nil { // bounded by the cluster's StartupTimeout
		c.Close()
		return nil, err
	}
	return c, nil
}

// replicaStep trains on this replica's slice of the global batch idx.
func (t *training) replicaStep(idx []int) (runner.Logs, runner.Counts, error) {
	mine, feeds, err := t.rep.Step(t.graph, idx)
	if err != nil {
		return nil, nil, err
	}
	x, y, err := t.train.batch(mine)
	if err != nil {
		return nil, nil, err
	}
	w, err := t.stepWeights(mine)
	if err != nil {
		return nil, nil, err
	}
	mf, err := t.feeds(x, y, w)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range mf {
		feeds[k] = v
	}
	return t.trainBatchLogs(feeds)
}

package gan

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// A GAN trained as one replica of a cluster (GANOptions.Server) trains both networks the
// way a classifier replica trains its one (distributed.Replica): each replica takes its
// slice of every global batch of real images, and draws the noise (and, in the alternating
// step, the random classes) of the whole global batch from the one-process run's stream,
// keeping its rows; BatchNormalization normalises with the global batch's statistics; each
// loss is weighted by the replica's share of the global batch, and each optimizer applies
// the replicas' summed gradients. The logs (gen_loss, disc_loss, real_accuracy,
// fake_accuracy) are the replicas' weighted shares summed: the global batch's. So the
// replicas end every step with the same weights, the one-process run's up to float32
// rounding.

// reduced returns xs (scalar batch means) as this replica minimizes them, weighted by its share
// of the global batch, and as the logs report them, those shares summed across the
// replicas. In one process both are xs.
func (m *GAN) reduced(s *graphs.Scope, xs ...tf.Output) (minimized, logs []tf.Output) {
	if m.rep == nil {
		return xs, xs
	}
	share := s.ReplicaShare()
	minimized = make([]tf.Output, len(xs))
	for i, x := range xs {
		minimized[i] = op.Mul(s.Op("Mul"), x, share)
	}
	if len(xs) == 1 {
		return minimized, m.rep.AllReduce.Sum(s.Sub("allreduce_logs"), minimized...)
	}
	// One collective for the step's scalars: fewer points where the replicas wait.
	packed := m.rep.AllReduce.Sum(s.Sub("allreduce_logs"), op.Pack(s.Op("Pack"), minimized))[0]
	if !s.Ok(packed) {
		return xs, xs
	}
	return minimized, op.Unpack(s.Op("Unpack"), packed, int64(len(xs)))
}

// run runs one training run, under the replica's watchdog on a cluster.
func (m *GAN) run(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets ...*tf.Operation) ([]*tf.Tensor, error) {
	if m.rep == nil {
		return m.sess.Run(feeds, fetches, targets...)
	}
	var out []*tf.Tensor
	err := m.rep.Run(func() error {
		var err error
		out, err = m.sess.Run(feeds, fetches, targets...)
		return err
	})
	return out, err
}

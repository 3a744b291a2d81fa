package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// CrossReplicaSum adds each of xs across the replicas of a data-parallel cluster (an
// all-reduce: every replica gets Σ over the replicas), returning one output per input, of
// the same shape. A failure is recorded on s. It needs no gradient of its own:
// Scope.CrossReplicaSum gives it one.
type CrossReplicaSum func(s *Scope, xs []tf.Output) []tf.Output

// replicaState is what a graph built as one replica of a cluster adds: the cross-replica
// sum, and the placeholders that say where this replica's rows sit in the step's global
// batch, created when first needed.
type replicaState struct {
	sum                  CrossReplicaSum
	global, offset, rows tf.Output // int32 scalars
}

// SetReplica makes g the graph of one replica of a synchronous data-parallel cluster
// (Keras's MultiWorkerMirroredStrategy), in which each replica trains on its rows of every
// global batch and sum adds tensors across the replicas. From then on:
//
//   - random draws (RandomUniform, RandomNormal: dropout masks, GAN noise) are drawn for the
//     whole global batch from the one-process run's stream and cut to this replica's rows,
//     so every row gets the value it gets in one process;
//   - Scope.CrossReplicaSum sums across the replicas, with a gradient (synchronized
//     BatchNormalization);
//   - every training step must feed ReplicaFeeds.
//
// Initial weights come from the graph seed alone and are the same on every replica. Call
// it before building.
func (g *Graph) SetReplica(sum CrossReplicaSum) { g.replica = &replicaState{sum: sum} }

// IsReplica reports whether g is the graph of a replica of a cluster (SetReplica).
func (g *Graph) IsReplica() bool { return g.replica != nil }

// replicaBatch returns the placeholders of this replica's place in the global batch:
// the global batch's rows, this replica's first row and its number of rows (0 when it
// trains on a stand-in row weighted 0; see ReplicaFeeds).
func (g *Graph) replicaBatch() (global, offset, rows tf.Output) {
	r := g.replica
	if r.global.Op == nil {
		rs := g.Root().Sub("replica_batch")
		r.global = rs.Placeholder("global_rows", tf.Int32)
		r.offset = rs.Placeholder("offset", tf.Int32)
		r.rows = rs.Placeholder("rows", tf.Int32)
	}
	return r.global, r.offset, r.rows
}

// ReplicaFeeds are the feeds of a training step of a replica whose rows of a global batch
// of n rows are [lo, hi). An empty slice (hi == lo: a last global batch smaller than the
// cluster) must still run the step's collectives: the replica then feeds one stand-in row
// (any row of the batch), which ReplicaFeeds describes as row 0 with weight 0. Nil for a
// graph that is not a replica's.
func (g *Graph) ReplicaFeeds(n, lo, hi int) (map[tf.Output]*tf.Tensor, error) {
	if g.replica == nil || g.replica.global.Op == nil {
		return nil, nil
	}
	if lo < 0 || hi < lo || hi > n {
		return nil, fmt.Errorf("graphs: replica rows [%d, %d) of a global batch of %d", lo, hi, n)
	}
	if hi == lo {
		lo = 0
	}
	r := g.replica
	feeds := map[tf.Output]*tf.Tensor{}
	for o, v := range map[tf.Output]int32{r.global: int32(n), r.offset: int32(lo), r.rows: int32(hi - lo)} {
		t, err := tf.NewTensor(v)
		if err != nil {
			return nil, err
		}
		feeds[o] = t
	}
	return feeds, nil
}

// ReplicaShare is this replica's rows over the global batch's, in the graph's dtype (0
// for a stand-in row): the weight of its slice's mean in the global batch's mean. 1 in a
// graph that is not a replica's.
func (s *Scope) ReplicaShare() tf.Output {
	if s.g.replica == nil {
		return s.Scalar(1)
	}
	global, _, rows := s.g.replicaBatch()
	dt := s.g.dtype
	return op.Div(s.Op("Div"), op.Cast(s.Op("Cast"), rows, dt), op.Cast(s.Op("Cast"), global, dt))
}

// ReplicaRowWeight is 1 when this replica has rows in the step, 0 when it trains on a
// stand-in row (graph dtype). 1 in a graph that is not a replica's.
func (s *Scope) ReplicaRowWeight() tf.Output {
	if s.g.replica == nil {
		return s.Scalar(1)
	}
	_, _, rows := s.g.replicaBatch()
	return op.Cast(s.Op("Cast"), op.Sign(s.Op("Sign"), rows), s.g.dtype)
}

// CrossReplicaSum adds each of xs across the replicas (the cross-replica sum of
// SetReplica); in a graph that is not a replica's it returns xs unchanged, one replica
// being the whole cluster. It is differentiable: the gradient of a cross-replica sum with
// respect to one replica's x is the cross-replica sum of the gradients every replica
// computes for the sum's output, since each replica's loss depends on every replica's x
// through it. (TensorFlow's ReplicaContext.all_reduce has the same gradient.) Every replica
// must build the same sums in the same order, gradients included.
func (s *Scope) CrossReplicaSum(xs ...tf.Output) []tf.Output {
	r := s.g.replica
	if r == nil {
		return append([]tf.Output(nil), xs...)
	}
	return s.CustomGradient("CrossReplicaSum", xs,
		func(fs *Scope, cut []tf.Output) []tf.Output { return r.sum(fs.Sub("cross_replica_sum"), cut) },
		func(bs *Scope, d []tf.Output) []tf.Output { return r.sum(bs.Sub("cross_replica_sum"), d) })
}

// globalDraw draws values for the whole global batch with draw (a stateless random op of
// the given shape, whose first dimension is the batch) and returns this replica's rows
// of them: what the one-process run draws for those rows. Outside a replica it is draw on
// shape.
func (s *Scope) globalDraw(shape tf.Output, draw func(shape tf.Output) tf.Output) tf.Output {
	if s.g.replica == nil {
		return draw(shape)
	}
	global, offset, _ := s.g.replicaBatch()
	shape = op.Cast(s.Op("Cast"), shape, tf.Int32)
	rest := op.StridedSlice(s.Op("StridedSlice"), shape, s.Const([]int32{1}), s.Const([]int32{0}), s.Const([]int32{1}),
		op.StridedSliceEndMask(1))
	all := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{op.Reshape(s.Op("Reshape"), global, s.Const([]int32{1})), rest}, s.Const(int32(0)))
	begin := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{op.Reshape(s.Op("Reshape"), offset, s.Const([]int32{1})),
		op.ZerosLike(s.Op("ZerosLike"), rest)}, s.Const(int32(0)))
	return op.Slice(s.Op("Slice"), draw(all), begin, shape)
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// BatchNormalization's synchronized argument. Keras 3: "If True, synchronizes the global
// batch statistics (mean and variance) for the layer across all devices at each training
// step in a distributed training strategy. If False, each replica uses its own local batch
// statistics." Its default is False. What tfrun does:
//
//   - In one process, false (the default) normalises with FusedBatchNormV3; true computes
//     the same statistics the way a cluster does (below), which differs only in float32
//     rounding: a run to compare with a cluster's, formula for formula.
//   - On a cluster (graphs.Graph.SetReplica) every BatchNormalization normalises with the
//     global batch's statistics, whatever synchronized says. This deviates from Keras,
//     whose replicas by default normalise with their own slices' statistics: tfrun promises
//     that a config trains to the same result on 1 or N processes, and only the global
//     batch's statistics keep that promise (and keep every replica's moving statistics the
//     same, which tfrun's checkpoints need).
//
// The computation follows Keras's synchronized moments (keras/src/backend/tensorflow/nn.py):
// Σx, Σx² and the count summed across the replicas (one all-reduce of the three), mean =
// Σx/n, variance = max(Σx²/n − mean², 0) (biased, as the moving variance wants), then
// x·γ/√(variance + ε) + (β − mean·γ/√(variance + ε)) as tf.nn.batch_normalization does.
// The gradient flows through the all-reduce (graphs.Scope.CrossReplicaSum).

// batchNormSyncOp normalises x ([batch, features] or [batch, h, w, channels]) with the
// global batch's statistics and returns y, the mean and the biased variance. A replica
// training on a stand-in row (graphs.Scope.ReplicaRowWeight 0) adds nothing to the sums.
func batchNormSyncOp(s *graphs.Scope, x, gamma, beta tf.Output, eps float64) (y, mean, variance tf.Output) {
	if !s.Ok(x) {
		return x, x, x
	}
	rank := x.Shape().NumDimensions()
	c := x.Shape().Size(rank - 1)
	axes := make([]int32, rank-1)
	for i := range axes {
		axes[i] = int32(i)
	}
	dt := s.Graph().DType()
	sum := op.Sum(s.Op("Sum"), x, s.Const(axes))
	sq := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), x), s.Const(axes))
	shape := op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32))
	n := op.Prod(s.Op("Prod"), op.StridedSlice(s.Op("StridedSlice"), shape, s.Const([]int32{0}), s.Const([]int32{int32(rank - 1)}), s.Const([]int32{1})), s.Const(int32(0)))
	count := op.StopGradient(s.Op("StopGradient"), op.Cast(s.Op("Cast"), n, dt))
	if s.Graph().IsReplica() {
		w := s.ReplicaRowWeight()
		sum, sq, count = op.Mul(s.Op("Mul"), sum, w), op.Mul(s.Op("Mul"), sq, w), op.Mul(s.Op("Mul"), count, w)
	}
	packed := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{sum, sq, op.Reshape(s.Op("Reshape"), count, s.Const([]int32{1}))}, s.Const(int32(0)))
	packed = s.CrossReplicaSum(packed)[0]
	if !s.Ok(packed) {
		return x, x, x
	}
	parts := op.SplitV(s.Op("SplitV"), packed, s.Const([]int32{int32(c), int32(c), 1}), s.Const(int32(0)), 3)
	sum, sq = parts[0], parts[1]
	count = op.Reshape(s.Op("Reshape"), parts[2], s.Const([]int32{}))
	mean = op.RealDiv(s.Op("RealDiv"), sum, count)
	variance = op.Maximum(s.Op("Maximum"), op.Sub(s.Op("Sub"), op.RealDiv(s.Op("RealDiv"), sq, count), op.Square(s.Op("Square"), mean)), s.Scalar(0))
	inv := op.Mul(s.Op("Mul"), op.Rsqrt(s.Op("Rsqrt"), op.AddV2(s.Op("AddV2"), variance, s.Scalar(eps))), gamma)
	y = op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), x, inv), op.Sub(s.Op("Sub"), beta, op.Mul(s.Op("Mul"), mean, inv)))
	return y, mean, variance
}

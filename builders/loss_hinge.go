package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Keras's hinge losses, for labels −1/1 (or 0/1, turned into −1/1 when every label of
// the batch is 0 or 1, as Keras's convert_binary_labels_to_hinge does).
func init() {
	registerLoss(configs.LossHinge, func(configs.Loss) LossFunc {
		return func(s *graphs.Scope, in LossInput) tf.Output {
			return Hinge(s, sameRank(s, in.YTrue, in.YPred), in.YPred, false)
		}
	})
	registerLoss(configs.LossSquaredHinge, func(configs.Loss) LossFunc {
		return func(s *graphs.Scope, in LossInput) tf.Output {
			return Hinge(s, sameRank(s, in.YTrue, in.YPred), in.YPred, true)
		}
	})
}

// Hinge is mean(max(1 − y·ŷ, 0)) over the last axis, squared inside the mean when squared
// (keras.losses.hinge, keras.losses.squared_hinge).
func Hinge(s *graphs.Scope, y, yHat tf.Output, squared bool) tf.Output {
	zero, one := s.Scalar(0), s.Scalar(1)
	binary := op.LogicalOr(s.Op("LogicalOr"), op.Equal(s.Op("Equal"), y, zero), op.Equal(s.Op("Equal"), y, one))
	all := op.All(s.Op("All"), binary, op.Range(s.Op("Range"), s.Const(int32(0)), op.Rank(s.Op("Rank"), binary), s.Const(int32(1))))
	pm := op.Sub(s.Op("Sub"), op.Mul(s.Op("Mul"), s.Scalar(2), y), one)
	y = rawOp(s, "SelectV2", all, pm, y)
	h := op.Maximum(s.Op("Maximum"), op.Sub(s.Op("Sub"), one, op.Mul(s.Op("Mul"), y, yHat)), zero)
	if squared {
		h = op.Square(s.Op("Square"), h)
	}
	return lastAxisMean(s, h)
}

package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// TopKAccuracy is the fraction of rows of p [batch, classes] whose k largest entries
// include the class id in ids [batch] (fed as the graph's float dtype): Keras's
// sparse_top_k_categorical_accuracy, and top_k_categorical_accuracy with the one-hot
// labels' argmax as the id. Both are TensorFlow's InTopKV2, as Keras's in_top_k on the
// TensorFlow backend: an entry tied with the k-th largest counts as in the top k.
func TopKAccuracy(s *graphs.Scope, p, ids tf.Output, k int) tf.Output {
	targets := op.Cast(s.Op("CastIds"), ids, tf.Int32)
	scores := op.Cast(s.Op("CastScores"), p, tf.Float)
	in := rawOp(s, "InTopKV2", scores, targets, s.Const(int32(k)))
	return Mean(s, op.Cast(s.Op("Cast"), in, s.Graph().DType()))
}

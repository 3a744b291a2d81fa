package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Mean is the mean of all elements (Keras's "sum_over_batch_size" reduction).
func Mean(s *graphs.Scope, x tf.Output) tf.Output {
	rank := op.Rank(s.Op("Rank"), x)
	axes := op.Range(s.Op("Range"), s.Const(int32(0)), rank, s.Const(int32(1)))
	return op.Mean(s.Op("Mean"), x, axes)
}

// BinaryAccuracy is the fraction of predictions p (probabilities) on the same side of
// 0.5 as the labels (Keras's binary_accuracy, threshold 0.5).
func BinaryAccuracy(s *graphs.Scope, p, labels tf.Output) tf.Output {
	pred := op.Cast(s.Op("Cast"), op.Greater(s.Op("Greater"), p, s.Scalar(0.5)), s.Graph().DType())
	eq := op.Cast(s.Op("Cast"), op.Equal(s.Op("Equal"), pred, labels), s.Graph().DType())
	return Mean(s, eq)
}

// SparseCategoricalAccuracy is the fraction of rows of p whose largest entry is at the
// label (Keras's sparse_categorical_accuracy).
func SparseCategoricalAccuracy(s *graphs.Scope, p, labels tf.Output) tf.Output {
	pred := op.Cast(s.Op("Cast"), op.ArgMax(s.Op("ArgMax"), p, s.Const(int32(1))), s.Graph().DType())
	eq := op.Cast(s.Op("Cast"), op.Equal(s.Op("Equal"), pred, labels), s.Graph().DType())
	return Mean(s, eq)
}

// CategoricalAccuracy is the fraction of rows of p whose largest entry is where the
// one-hot labels [batch, k] have theirs (Keras's categorical_accuracy).
func CategoricalAccuracy(s *graphs.Scope, p, onehot tf.Output) tf.Output {
	pred := op.ArgMax(s.Op("ArgMax"), p, s.Const(int32(-1)))
	want := op.ArgMax(s.Op("ArgMax"), onehot, s.Const(int32(-1)))
	return Mean(s, op.Cast(s.Op("Cast"), op.Equal(s.Op("Equal"), pred, want), s.Graph().DType()))
}

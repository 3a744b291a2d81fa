package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// SigmoidCrossEntropy is the elementwise binary cross-entropy of labels z given logits x,
// in the stable form max(x, 0) − x·z + log1p(exp(−|x|)) (TensorFlow's
// sigmoid_cross_entropy_with_logits). Keras computes binary_crossentropy this way whenever
// the predictions come straight from a sigmoid, as they do here.
func SigmoidCrossEntropy(s *graphs.Scope, logits, labels tf.Output) tf.Output {
	relu := op.Maximum(s.Op("Maximum"), logits, op.ZerosLike(s.Op("ZerosLike"), logits))
	xz := op.Mul(s.Op("Mul"), logits, labels)
	soft := op.Log1p(s.Op("Log1p"), op.Exp(s.Op("Exp"), op.Neg(s.Op("Neg"), op.Abs(s.Op("Abs"), logits))))
	return op.AddV2(s.Op("AddV2"), op.Sub(s.Op("Sub"), relu, xz), soft)
}

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

// SparseSoftmaxCrossEntropy is the elementwise categorical cross-entropy of integer class
// labels (float32 [batch], as fed) given logits [batch, classes]: −log softmax(logits)[label],
// computed stably as −Σ onehot(label)·log_softmax(logits). Keras computes
// sparse_categorical_crossentropy this way when the predictions come from a softmax.
func SparseSoftmaxCrossEntropy(s *graphs.Scope, logits, labels tf.Output, classes int) tf.Output {
	ids := op.Cast(s.Op("Cast"), labels, tf.Int32)
	onehot := op.OneHot(s.Op("OneHot"), ids, s.Const(int32(classes)), s.Scalar(1), s.Scalar(0))
	logp := op.LogSoftmax(s.Op("LogSoftmax"), logits)
	return op.Neg(s.Op("Neg"), op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), onehot, logp), s.Const([]int32{1})))
}

// SparseCategoricalAccuracy is the fraction of rows of p whose largest entry is at the
// label (Keras's sparse_categorical_accuracy).
func SparseCategoricalAccuracy(s *graphs.Scope, p, labels tf.Output) tf.Output {
	pred := op.Cast(s.Op("Cast"), op.ArgMax(s.Op("ArgMax"), p, s.Const(int32(1))), s.Graph().DType())
	eq := op.Cast(s.Op("Cast"), op.Equal(s.Op("Equal"), pred, labels), s.Graph().DType())
	return Mean(s, eq)
}

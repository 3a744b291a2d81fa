package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// OutputLoss is one output's part of a model's compiled loss: its name, its loss and its
// weight (train.loss_weights; 1 when not given), called on In.
type OutputLoss struct {
	Name   string
	Loss   *Loss
	Weight float64
	In     LossInput
}

// CompileLoss emits Keras's compiled loss of a model of several outputs
// (keras/src/trainers/compile_utils.py, CompileLoss.call): each output's loss reduced as
// a single output's is (sum_over_batch_size; sampleWeight, when set, applied to every
// output, as Keras repeats a flat sample_weight), multiplied by its weight, and summed in
// output order. It returns the sum, what the optimizer minimizes before the layers'
// penalties (Keras's "loss"), and each output's loss unweighted, what Keras logs as
// <output>_loss.
func CompileLoss(s *graphs.Scope, outs []OutputLoss, sampleWeight tf.Output) (total tf.Output, each []tf.Output) {
	if len(outs) == 0 {
		s.Fail("builders: CompileLoss: no outputs")
		return tf.Output{}, nil
	}
	each = make([]tf.Output, len(outs))
	for i, o := range outs {
		ls := s.Sub(o.Name + "_loss")
		each[i] = o.Loss.Call(ls, o.In, sampleWeight)
		weighted := each[i]
		if o.Weight != 1 {
			weighted = op.Mul(ls.Op("LossWeight"), each[i], ls.Scalar(o.Weight))
		}
		if i == 0 {
			total = weighted
			continue
		}
		total = op.AddV2(s.Op(fmt.Sprintf("Sum_%d", i)), total, weighted)
	}
	return total, each
}

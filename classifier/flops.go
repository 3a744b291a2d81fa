package classifier

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// TrainStepFLOPs counts the FLOPs of one TrainBatch on a batch of the given size: the
// matrix products and convolutions of the training forward pass, the loss's gradient
// and nothing of the inference path (graphs.CountFLOPs).
func (c *Classifier) TrainStepFLOPs(batch int) (graphs.FLOPs, error) {
	x, err := c.x.Shape().ToSlice()
	if err != nil {
		return graphs.FLOPs{}, err
	}
	x[0] = int64(batch)
	return graphs.CountFLOPs(c.graph, map[tf.Output][]int64{c.x: x, c.y: {int64(batch)}},
		graphs.StepRun{Fetches: []tf.Output{c.trainLoss, c.trainAcc}, Targets: []*tf.Operation{c.train, c.advance}})
}

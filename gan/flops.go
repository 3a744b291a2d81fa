package gan

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// TrainStepFLOPs counts the FLOPs of one TrainStep on a batch of the given size: the
// matrix products and convolutions of both networks' forward passes and of both losses'
// gradients, each of an alternating step's three runs counted (graphs.CountFLOPs).
func (m *GAN) TrainStepFLOPs(batch int) (graphs.FLOPs, error) {
	images, err := m.images.Shape().ToSlice()
	if err != nil {
		return graphs.FLOPs{}, err
	}
	images[0] = int64(batch)
	inputs := map[tf.Output][]int64{m.images: images}
	if m.Config.Conditional() {
		inputs[m.labels] = []int64{int64(batch), 1}
	}
	if a := m.alternating; a != nil {
		return graphs.CountFLOPs(m.graph, inputs,
			graphs.StepRun{Fetches: []tf.Output{a.realLoss, a.realAcc}, Targets: a.real},
			graphs.StepRun{Fetches: []tf.Output{a.fakeLoss, a.fakeAcc}, Targets: a.fake},
			graphs.StepRun{Fetches: []tf.Output{a.genLoss}, Targets: a.gen})
	}
	return graphs.CountFLOPs(m.graph, inputs,
		graphs.StepRun{Fetches: []tf.Output{m.genLoss, m.discLoss, m.realAcc, m.fakeAcc}, Targets: m.step})
}

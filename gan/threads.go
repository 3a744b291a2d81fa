package gan

import (
	"fmt"
	"math/rand/v2"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs"
)

// chooseThreadLayout chooses the thread layout of the GAN's session
// (graphs.ChooseThreadLayout): where autotuning measures, train steps on a batch of random
// images of the run's batch size (the graph's Autotune.Batch) time both layouts in the
// session, whose variables then start again from their initial values. An alternating
// train step (three runs a step) and a GAN without a batch size to measure with keep the
// default layout unless the cache or checkpoint names one.
func (m *GAN) chooseThreadLayout(shape builders.Shape) error {
	a := m.graph.Autotune()
	if a == nil {
		return nil
	}
	batch := a.Batch
	dims := []string{fmt.Sprint(batch)}
	for _, d := range shape {
		dims = append(dims, fmt.Sprint(d))
	}
	var step func() error
	if batch > 0 && m.alternating == nil {
		feeds, err := m.trialFeeds(batch, shape)
		if err != nil {
			return err
		}
		targets := append([]*tf.Operation{m.genLoss.Op, m.discLoss.Op, m.realAcc.Op, m.fakeAcc.Op}, m.step...)
		step = func() error {
			_, err := m.sess.Run(feeds, nil, targets...)
			return err
		}
	}
	_, err := m.graph.ChooseThreadLayout(fmt.Sprintf("gan images[%s]", strings.Join(dims, ",")), m.sess, step)
	return err
}

// trialFeeds are a train step's feeds for timing it: batch images uniform in [-1, 1) of
// the given shape and, for a conditional GAN, labels 0.
func (m *GAN) trialFeeds(batch int, shape builders.Shape) (map[tf.Output]*tf.Tensor, error) {
	n := batch
	for _, d := range shape {
		n *= d
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pixels := make([]float32, n)
	for i := range pixels {
		pixels[i] = float32(2*rng.Float64() - 1)
	}
	images, err := graphs.NewTensor(pixels, append([]int64{int64(batch)}, shape.Int64s()...)...)
	if err != nil {
		return nil, err
	}
	feeds := map[tf.Output]*tf.Tensor{m.images: images}
	if m.Config.Conditional() {
		labels, err := graphs.NewTensor(make([]int32, batch), int64(batch), 1)
		if err != nil {
			return nil, err
		}
		feeds[m.labels] = labels
	}
	return feeds, nil
}

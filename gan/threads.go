package gan

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
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

// trialFeeds are a train step's feeds for timing it: batch random images of the given
// shape (benchImages, tfrun-bench's) and, for a conditional GAN, their labels 0.
func (m *GAN) trialFeeds(batch int, shape builders.Shape) (map[tf.Output]*tf.Tensor, error) {
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	images, labels, err := benchImages(batch, shape, 1).Batch(idx)
	if err != nil {
		return nil, err
	}
	feeds := map[tf.Output]*tf.Tensor{m.images: images}
	if m.Config.Conditional() {
		feeds[m.labels] = labels
	}
	return feeds, nil
}

package classifier

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs"
)

// Adapt sets the statistics of the model's Normalization layers from ds, as Keras's
// layer.adapt(data) before fit: each layer, in the order the model calls them, over its
// inputs in inference mode (the layers before it applied, earlier Normalization layers
// already adapted), in batches of batchSize. A model without Normalization layers costs
// nothing. A resumed run adapts too and then restores the checkpoint's values, the same
// ones.
func (c *Classifier) Adapt(ds *Dataset, batchSize int) error {
	return adaptAll(c.sess, c.Model.AllLayers(), ds.Len(), batchSize, func(idx []int) (map[tf.Output]*tf.Tensor, error) {
		x, _, err := ds.batch(idx)
		if err != nil {
			return nil, err
		}
		return map[tf.Output]*tf.Tensor{c.x: x}, nil
	})
}

// Adapt is Classifier.Adapt for a model of several inputs: the Normalization layers
// adapted on the inputs of e.
func (c *MultiOutput) Adapt(e *Examples, batchSize int) error {
	inputs := &Examples{Inputs: e.Inputs}
	return adaptAll(c.sess, c.Model.AllLayers(), e.Len(), batchSize, func(idx []int) (map[tf.Output]*tf.Tensor, error) {
		return c.feeds(inputs, idx)
	})
}

// adaptAll adapts the Normalization layers among layers, in order, on n examples fed in
// batches of batchSize by feeds.
func adaptAll(sess *graphs.Session, layers []builders.Layer, n, batchSize int, feeds func(idx []int) (map[tf.Output]*tf.Tensor, error)) error {
	for _, l := range layers {
		norm, ok := l.(*builders.Normalization)
		if !ok {
			continue
		}
		if err := adapt(sess, norm, n, batchSize, feeds); err != nil {
			return fmt.Errorf("adapting layer %q (Normalization): %w", norm.Name(), err)
		}
	}
	return nil
}

func adapt(sess *graphs.Session, norm *builders.Normalization, n, batchSize int, feeds func(idx []int) (map[tf.Output]*tf.Tensor, error)) error {
	in := norm.AdaptInput()
	if in.Op == nil {
		return fmt.Errorf("the layer was never called in inference")
	}
	if n == 0 {
		return fmt.Errorf("no training data")
	}
	var sum, sumSquares []float64
	var count int64
	idx := make([]int, 0, batchSize)
	for start := 0; start < n; start += batchSize {
		idx = idx[:0]
		for i := start; i < min(start+batchSize, n); i++ {
			idx = append(idx, i)
		}
		fd, err := feeds(idx)
		if err != nil {
			return err
		}
		out, err := sess.Run(fd, []tf.Output{in})
		if err != nil {
			return err
		}
		shape := out[0].Shape()
		features := int(shape[len(shape)-1])
		if sum == nil {
			sum, sumSquares = make([]float64, features), make([]float64, features)
		}
		for i, v := range graphs.Float64s(out[0]) {
			sum[i%features] += v
			sumSquares[i%features] += v * v
		}
		per := shape[0] // values per feature: the batch × the other axes
		for _, d := range shape[1 : len(shape)-1] {
			per *= d
		}
		count += per
	}
	vars, values, err := norm.Adapt(count, sum, sumSquares)
	if err != nil {
		return err
	}
	return sess.Set(vars, values)
}

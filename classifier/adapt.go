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
	for _, l := range c.Model.AllLayers() {
		n, ok := l.(*builders.Normalization)
		if !ok {
			continue
		}
		if err := c.adapt(n, ds, batchSize); err != nil {
			return fmt.Errorf("adapting layer %q (Normalization): %w", n.Name(), err)
		}
	}
	return nil
}

func (c *Classifier) adapt(n *builders.Normalization, ds *Dataset, batchSize int) error {
	in := n.AdaptInput()
	if in.Op == nil {
		return fmt.Errorf("the layer was never called in inference")
	}
	if ds.Len() == 0 {
		return fmt.Errorf("no training data")
	}
	var sum, sumSquares []float64
	var count int64
	idx := make([]int, 0, batchSize)
	for start := 0; start < ds.Len(); start += batchSize {
		idx = idx[:0]
		for i := start; i < min(start+batchSize, ds.Len()); i++ {
			idx = append(idx, i)
		}
		x, _, err := ds.batch(idx)
		if err != nil {
			return err
		}
		out, err := c.sess.Run(map[tf.Output]*tf.Tensor{c.x: x}, []tf.Output{in})
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
	vars, values, err := n.Adapt(count, sum, sumSquares)
	if err != nil {
		return err
	}
	return c.sess.Set(vars, values)
}

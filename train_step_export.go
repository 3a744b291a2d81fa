package tfrun

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/export"
)

// Signature names of an exported Sequential network (Custom.Export).
const (
	// NetworkInput is the input of an exported Sequential network: float32 [batch, shape...].
	NetworkInput = export.InputX
	// NetworkOutput is the output of an exported Sequential network: float32 [batch, shape...].
	NetworkOutput = "output"
)

// Export writes the network name of the custom model as a SavedModel into dir/<version>
// (the next free version) and returns that directory: the network in inference mode
// (dropout off, BatchNormalization on its moving statistics), as Keras's
// network.export(dir) writes it, with the weights the model holds when Export runs (those
// Fit trained), for TensorFlow Serving, Python's tf.saved_model.load, Keras's TFSMLayer
// and graft's LoadSavedModel. serving_default takes a Sequential network's input as x,
// float32 [batch, shape...], and returns output, float32 [batch, output shape...] (a
// generator's tanh values); a functional network's inputs by their names (int32 for a
// layers.IntInput) and its outputs by their names. Predict and PredictOutputs give the
// same values in process.
func (c *Custom) Export(name, dir string) (string, error) {
	n, ok := c.b.nets[name]
	if !ok {
		return "", fmt.Errorf("export: no network %q (networks: %v)", name, c.b.order)
	}
	em := c.exports[name]
	if em == nil {
		ins, outs := map[string]tf.Output{NetworkInput: n.x}, map[string]tf.Output{NetworkOutput: n.out}
		if n.fn != nil {
			ins, outs = n.xs, n.outs
		}
		var err error
		if em, err = export.FromSession(c.name+"/"+name, c.b.g, c.sess, ins, outs); err != nil {
			return "", err
		}
		if c.exports == nil {
			c.exports = map[string]*export.Model{}
		}
		c.exports[name] = em // its saver ops are in the graph: made once
	}
	out, err := em.Write(dir, export.WriteOptions{})
	if err != nil {
		return "", fmt.Errorf("export: network %q: %w", name, err)
	}
	return out, nil
}

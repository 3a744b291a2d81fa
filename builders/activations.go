package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Activations are Keras's activation names tfrun knows.
var Activations = []string{"linear", "relu", "sigmoid", "softmax", "tanh", "leaky_relu"}

// checkActivation reports an unknown activation name.
func checkActivation(name string) error {
	if name == "" {
		return nil
	}
	for _, a := range Activations {
		if a == name {
			return nil
		}
	}
	return fmt.Errorf("unknown activation %q (valid: %v)", name, Activations)
}

// activate applies a Keras activation ("" and "linear" are the identity). Keras's
// leaky_relu activation uses negative_slope 0.2, through leakyReLUOp like the LeakyReLU
// layer: Conv2D(activation: leaky_relu) and Conv2D then Activation(leaky_relu) are the
// Conv2D+BiasAdd+LeakyRelu that TensorFlow's remapper fuses (see leakyReLUOp).
func activate(s *graphs.Scope, name string, x tf.Output) tf.Output {
	switch name {
	case "", "linear":
		return x
	case "relu":
		return op.Relu(s.Op("Relu"), x)
	case "sigmoid":
		return op.Sigmoid(s.Op("Sigmoid"), x)
	case "tanh":
		return op.Tanh(s.Op("Tanh"), x)
	case "softmax":
		return op.Softmax(s.Op("Softmax"), x)
	case "leaky_relu":
		return leakyReLUOp(s, x, 0.2)
	}
	s.Fail("unknown activation %q", name)
	return x
}

// leakyReLUOp is LeakyRelu whose gradient reads the op's output rather than its input
// (LeakyReluGrad(dy, y): for a positive slope y has x's sign, so the gradient is the same
// bit for bit). The registry's gradient reads the input, which then feeds both LeakyRelu
// and LeakyReluGrad. With oneDNN on (TF_ENABLE_ONEDNN_OPTS=1, TensorFlow's default on
// recent Intel CPUs) TensorFlow 2.18's grappler remapper first fuses Conv2D+BiasAdd into
// a _FusedConv2D, then, in its second pass, folds the LeakyRelu into it ("Fuse
// _FusedConv2D and LeakyRelu") without checking that LeakyReluGrad still reads it, and
// fails ("remapper failed: … fanout 'LeakyReluGrad' exist for missing node
// '…/BiasAdd'"): the graph then runs without that pass's fusions. With the gradient on
// the output, Conv2D+BiasAdd+LeakyRelu is fused in one valid step. (Dense's
// MatMul+BiasAdd+LeakyRelu is not fused, and a bias added with AddV2, as Keras 3 does,
// is not either; both go this way all the same.)
func leakyReLUOp(s *graphs.Scope, x tf.Output, slope float64) tf.Output {
	if slope <= 0 {
		return op.LeakyRelu(s.Op("LeakyRelu"), x, op.LeakyReluAlpha(float32(slope)))
	}
	var y tf.Output
	return s.CustomGradient("LeakyRelu", []tf.Output{x},
		func(cs *graphs.Scope, in []tf.Output) []tf.Output {
			y = op.LeakyRelu(cs.Op("LeakyRelu"), in[0], op.LeakyReluAlpha(float32(slope)))
			return []tf.Output{y}
		},
		func(gs *graphs.Scope, d []tf.Output) []tf.Output {
			return []tf.Output{op.LeakyReluGrad(gs.Op("LeakyReluGrad"), d[0], y, op.LeakyReluGradAlpha(float32(slope)))}
		})[0]
}

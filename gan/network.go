package gan

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Network is one network of a GAN: a builders.Sequential of its layers on its one input,
// or a builders.Functional of its graph (configs.Network), the model code a classifier's
// functional model is built with. A conditional GAN's networks are functional, with an
// input named configs.GANLabelInput for the class labels (int32 [batch, 1]) and one for
// the noise or the image.
type Network struct {
	Name  string
	Model builders.Model // *builders.Sequential or *builders.Functional

	main, label string // a functional network's inputs: the noise or image's, the label's ("" if none)
}

// newNetwork makes the network a config describes, named name (the scope its variables
// are in: "generator", "discriminator"). An error names the layer at its config path
// below gan.<name>.
func newNetwork(name string, n *configs.Network) (*Network, error) {
	path := "gan." + name
	if !n.Functional() {
		layers, err := assemble.Layers(n.Layers, assemble.Namer{})
		if err != nil {
			return nil, fmt.Errorf("%s.%w", path, err)
		}
		return &Network{Name: name, Model: builders.NewSequential(name, layers...)}, nil
	}
	f, _, err := assemble.FunctionalAt(path, n.Model(), nil)
	if err != nil {
		return nil, err
	}
	f.Name = name
	net := &Network{Name: name, Model: f, main: n.MainInput()}
	for _, in := range n.Inputs {
		if in.Name == configs.GANLabelInput {
			net.label = in.Name
		}
	}
	return net, nil
}

// Conditional reports whether the network takes class labels.
func (n *Network) Conditional() bool { return n.label != "" }

// Build creates the variables for main inputs of shape in (and labels of shape [1]).
func (n *Network) Build(s *graphs.Scope, in builders.Shape) error {
	f, ok := n.Model.(*builders.Functional)
	if !ok {
		return n.Model.Build(s, in)
	}
	ins := map[string]builders.Shape{n.main: in}
	if n.label != "" {
		ins[n.label] = builders.Shape{1}
	}
	return f.BuildGraph(s, ins)
}

// Call emits the network on x (and labels, int32 [batch, 1], when conditional); a zero
// Output after an error (the scope holds it).
func (n *Network) Call(x, labels tf.Output, training bool) tf.Output {
	f, ok := n.Model.(*builders.Functional)
	if !ok {
		out, _ := n.Model.Call(x, training)
		return out
	}
	xs := map[string]tf.Output{n.main: x}
	if n.label != "" {
		xs[n.label] = labels
	}
	outs, _ := f.CallGraph(xs, training)
	if outs == nil {
		return tf.Output{}
	}
	return outs[f.Outputs[0]]
}

// OutputShape is the network's output shape (after Build).
func (n *Network) OutputShape() builders.Shape { return n.Model.OutputShape() }

// Summary renders the network as Keras's model.summary() does.
func (n *Network) Summary() string { return n.Model.Summary() }

// AllLayers lists the network's layers, each once.
func (n *Network) AllLayers() []builders.Layer { return n.Model.AllLayers() }

// Variables lists the network's variables.
func (n *Network) Variables() []*graphs.Variable { return n.Model.Variables() }

// TrainableVariables lists the variables an optimizer updates.
func (n *Network) TrainableVariables() []*graphs.Variable { return n.Model.TrainableVariables() }

// Updates are the training Calls' state updates (BatchNormalization's moving statistics),
// which a training step must run.
func (n *Network) Updates() []*tf.Operation { return n.Model.Updates() }

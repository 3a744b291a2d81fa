package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Network is one network of a GAN: a Sequential stack on one input, or, when conditional
// (LabelBranch set), Keras's functional two-input pattern of the conditional GAN examples:
//
//	label [batch, 1] → LabelBranch ─┐
//	input            → InputBranch ─┴→ Concatenate(axis −1, input first) → Layers → output
type Network struct {
	Name        string
	LabelBranch []Layer
	InputBranch []Layer
	Layers      []Layer

	input, out Shape
	scope      *graphs.Scope
	shapes     []Shape // each layer's output shape, in all() order
}

// Conditional reports whether the network takes a class label.
func (n *Network) Conditional() bool { return len(n.LabelBranch) > 0 }

// Build creates the variables for inputs of shape in (and labels of shape [1]).
//
// Under a mixed policy the layers compute in the graph's ComputeDType, the last of Layers
// in float32 (precision.go).
func (n *Network) Build(s *graphs.Scope, in Shape) error {
	n.scope = modelScope(s.Sub(n.Name))
	n.input = in
	// first is the config index of ls[0]: a conditional network's config lists the
	// Concatenate as layers[0], which Network does itself.
	build := func(where string, ls []Layer, shape Shape, first int) (Shape, error) {
		for i, l := range ls {
			last := where == "layers" && i == len(ls)-1
			out, err := l.Build(layerScope(n.scope, l, last), shape)
			if err != nil {
				return nil, fmt.Errorf("gan.%s.%s[%d]: %w", n.Name, where, first+i, err) // the error names the layer
			}
			n.shapes = append(n.shapes, out)
			shape = out
		}
		return shape, nil
	}
	shape := in
	if n.Conditional() {
		ls, err := build("label_branch", n.LabelBranch, Shape{1}, 0)
		if err != nil {
			return err
		}
		is, err := build("input_branch", n.InputBranch, in, 0)
		if err != nil {
			return err
		}
		if len(ls) != len(is) || ls[:len(ls)-1].String() != is[:len(is)-1].String() {
			return fmt.Errorf("gan.%s.layers[0] (Concatenate): the label branch gives %v, the input branch %v; all but the last axis must match", n.Name, ls, is)
		}
		shape = append(append(Shape{}, is[:len(is)-1]...), is[len(is)-1]+ls[len(ls)-1])
	}
	first := 0
	if n.Conditional() {
		first = 1
	}
	out, err := build("layers", n.Layers, shape, first)
	if err != nil {
		return err
	}
	n.out = out
	return n.scope.Err()
}

// Summary renders the network like Keras's model.summary() (branches first).
func (n *Network) Summary() string {
	return renderSummary(n.Name, n.AllLayers(), n.shapes, n.Variables())
}

// OutputShape is the network's output shape.
func (n *Network) OutputShape() Shape { return n.out }

// Call emits the network on x (and labels, int32 [batch, 1], when conditional).
func (n *Network) Call(x, labels tf.Output, training bool) tf.Output {
	if n.Conditional() {
		l := n.callAll(n.LabelBranch, labels, training)
		x = n.callAll(n.InputBranch, x, training)
		if !n.scope.Ok(x, l) {
			return tf.Output{}
		}
		// An empty branch passes its input on as it came (float32, int32 labels cannot
		// be: the label branch is never empty); the join is in the network's dtype.
		x, l = n.scope.CastTo(x, n.scope.DType()), n.scope.CastTo(l, n.scope.DType())
		x = op.ConcatV2(n.scope.Op("ConcatV2"), []tf.Output{x, l}, n.scope.Const(int32(-1)))
	}
	return n.callAll(n.Layers, x, training)
}

// callAll applies layers in order, stopping at the first error (the caller reports it).
func (n *Network) callAll(layers []Layer, x tf.Output, training bool) tf.Output {
	for _, layer := range layers {
		if !n.scope.Ok(x) {
			return tf.Output{}
		}
		x = callLayer(n.scope, layer, x, training)
	}
	return x
}

// AllLayers lists the network's layers: the label branch, the input branch, then Layers.
func (n *Network) AllLayers() []Layer {
	return append(append(append([]Layer{}, n.LabelBranch...), n.InputBranch...), n.Layers...)
}

// Variables lists the network's variables.
func (n *Network) Variables() []*graphs.Variable {
	var vs []*graphs.Variable
	for _, l := range n.AllLayers() {
		vs = append(vs, l.Variables()...)
	}
	return vs
}

// TrainableVariables lists the variables an optimizer updates.
func (n *Network) TrainableVariables() []*graphs.Variable {
	var vs []*graphs.Variable
	for _, v := range n.Variables() {
		if v.Trainable {
			vs = append(vs, v)
		}
	}
	return vs
}

// Updates are the state updates of the training Calls (BatchNormalization's moving
// statistics), which a training step must run.
func (n *Network) Updates() []*tf.Operation {
	var ops []*tf.Operation
	for _, l := range n.AllLayers() {
		if u, ok := l.(interface{ Updates() []*tf.Operation }); ok {
			ops = append(ops, u.Updates()...)
		}
	}
	return ops
}

package assemble

import (
	"fmt"
	"slices"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
)

// Model turns a classifier's model section into the model builders trains: a Sequential
// of its layers (named name, "" for Keras's "sequential"), or for a functional model
// (model.inputs) a Functional of its graph, whose input must take examples of shape in.
// It also returns the model's layers, each once (for ChooseLSTMImplementations). The
// layers configs.Model.FrozenLayers names are frozen (builders.Freeze), and those of a
// base with training: false called in inference mode.
func Model(m *configs.Model, name string, in builders.Shape) (builders.Model, []builders.Layer, error) {
	if !m.Functional() {
		layers, err := Layers(m.Layers, Namer{})
		if err != nil {
			return nil, nil, fmt.Errorf("model.%w", err)
		}
		if len(layers) == 0 {
			return nil, nil, ModelErrorf("the model has no layers")
		}
		setBase(m, func(i int) builders.Layer { return layers[i] })
		return builders.NewSequential(name, layers...), layers, nil
	}
	f, layers, err := Functional(m, in)
	return f, layers, err
}

// Functional builds a functional model's graph (configs.Model.Graph): each layer made
// once, with Keras's default names in model.layers order (those configs resolves calls
// with), a reuse entry calling the layer it reuses. in is the data's example shape, which
// a model of one input's declared shape must equal (a model fed by name, with several
// inputs, is shaped by data.inputs, which configs checked).
func Functional(m *configs.Model, in builders.Shape) (*builders.Functional, []builders.Layer, error) {
	return FunctionalAt("model", m, in)
}

// FunctionalAt is Functional for a model at key path path ("model", "gan.generator"),
// which its errors name the layers under.
func FunctionalAt(path string, m *configs.Model, in builders.Shape) (*builders.Functional, []builders.Layer, error) {
	g, err := m.Graph()
	if err != nil {
		return nil, nil, ModelError(err)
	}
	x := g.Inputs[0]
	if !m.MultiIO() && x.Shape != nil && !slices.Equal([]int(x.Shape), []int(in)) {
		return nil, nil, ModelErrorf("%s.inputs.%s.shape: %v, but the data's examples are %v", path, x.Name, []int(x.Shape), []int(in))
	}
	var inputs []string
	for _, in := range g.Inputs {
		inputs = append(inputs, in.Name)
	}
	want := map[int]string{} // defining entry → the layer name configs resolved
	for _, n := range g.Nodes {
		if !n.Reused() {
			want[n.Index] = n.Layer
		}
	}
	names := Namer{}
	made := map[int]builders.Layer{}
	var layers []builders.Layer
	for i := range m.Layers {
		l := &m.Layers[i]
		if l.Reuse != "" {
			continue
		}
		if err := l.Validate(); err != nil {
			return nil, nil, ModelErrorf("%s.layers[%d] (%s): %w", path, i, l.Type, err)
		}
		b, err := layer(l, names)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.layers[%d] (%s): %w", path, i, l.Type, err)
		}
		if b.Name() != want[i] {
			return nil, nil, fmt.Errorf("%s.layers[%d] (%s): named %q, but configs resolved it as %q", path, i, l.Type, b.Name(), want[i])
		}
		made[i] = b
		layers = append(layers, b)
	}
	setBase(m, func(i int) builders.Layer { return made[i] })
	nodes := make([]builders.Node, len(g.Nodes))
	for k, n := range g.Nodes {
		nodes[k] = builders.Node{Tensor: n.Tensor, Layer: made[n.First], Call: n.Call}
	}
	return builders.NewFunctional("", inputs, g.Outputs, nodes...), layers, nil
}

// setBase freezes the layers configs.Model.FrozenLayers names (a layer's trainable: false,
// model.base's trainable: false) and sets those of a base with training: false to be
// called in inference mode; layer(i) is entry i's layer (nil for a reuse entry).
func setBase(m *configs.Model, layer func(i int) builders.Layer) {
	inference := m.InferenceLayers()
	for i, frozen := range m.FrozenLayers() {
		l := layer(i)
		if l == nil {
			continue
		}
		if frozen {
			builders.Freeze(l)
		}
		if c, ok := l.(interface{ SetInferenceCall(bool) }); ok && inference[i] {
			c.SetInferenceCall(true)
		}
	}
}

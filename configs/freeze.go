package configs

import (
	"slices"
	"strings"
)

// Freezing layers, Keras's trainable attribute: a layer's trainable: false (Layer.Frozen)
// freezes that layer; model.base freezes a whole sub-graph, as Keras's transfer-learning
// guide freezes a nested base model (base_model.trainable = False):
//
//	model:
//	  inputs: {image: {shape: [28, 28, 1]}}
//	  layers:
//	    - {name: conv1, type: Conv2D, filters: 16, kernel_size: 3, activation: relu}
//	    - {name: features, type: GlobalAveragePooling2D}
//	    - {name: head, type: Dense, units: 10, activation: softmax}
//	  base: {outputs: [features], trainable: false}   # conv1 and features are frozen

// Base is a model's base: the sub-graph computing its Outputs from the model's inputs
// (every layer on a path to them, the outputs' own layers included), as a Keras base model
// called on the model's input is. For a Sequential stack an output is a layer's name, and
// the base is that layer and every layer before it.
type Base struct {
	// Outputs name the base's output tensors (layers' names). Required, non-empty.
	Outputs []string `mapstructure:"outputs" tfrun:"required"`
	// Trainable false freezes every layer of the base (base_model.trainable = False);
	// true leaves each layer's own trainable as it is. Default true.
	Trainable bool `mapstructure:"trainable"`
	// Training false calls the base's layers in inference mode in training steps too
	// (Dropout off, BatchNormalization on its moving statistics, not updating them), as
	// Keras's guide calls its base, base_model(x, training=False), so that unfreezing it
	// for fine-tuning leaves its BatchNormalization as it was. (Keras 3's functional models
	// override a recorded training=False with fit's, keras-team/keras#20285; nil is that
	// behaviour.) Only false may be given. Default nil: the layers follow fit's training
	// mode.
	Training *bool `mapstructure:"training"`
}

func (b *Base) setDefaults() { b.Trainable = true }

// FrozenLayers reports, for each entry of model.layers, whether its layer is frozen: its
// own trainable: false, or being in a base with trainable: false. A reuse entry is frozen
// when the layer it calls is. The config must be valid (Load checked it).
func (m *Model) FrozenLayers() []bool {
	out := make([]bool, len(m.Layers))
	for i := range m.Layers {
		out[i] = m.Layers[i].Frozen
	}
	if m.Base != nil && !m.Base.Trainable {
		entries, _ := m.baseEntries() // Validate reported any error
		for _, i := range entries {
			out[i] = true
		}
	}
	if m.Functional() { // a reuse entry follows the entry defining its layer
		if g, err := m.Graph(); err == nil {
			for _, n := range g.Nodes {
				out[n.Index] = out[n.First]
			}
		}
	}
	return out
}

// InferenceLayers reports, for each entry of model.layers, whether its layer is called in
// inference mode in training steps too: being in a base with training: false.
func (m *Model) InferenceLayers() []bool {
	out := make([]bool, len(m.Layers))
	if m.Base == nil || m.Base.Training == nil || *m.Base.Training {
		return out
	}
	entries, _ := m.baseEntries()
	for _, i := range entries {
		out[i] = true
	}
	return out
}

// baseEntries are the defining entries of model.layers in the base, in order; an error
// names what in model.base.outputs is wrong (a checker error, for Validate).
func (m *Model) baseEntries() ([]int, error) {
	c := &checker{}
	return c.baseEntries(m)
}

func (c *checker) baseEntries(m *Model) ([]int, error) {
	const path = "model.base.outputs"
	if m.Base == nil {
		return nil, nil
	}
	if t := m.Base.Training; t != nil && *t {
		return nil, c.bad("model.base.training", "true: only false may be given (Keras's base_model(x, training=False)); leave it out for the base to follow fit's training mode")
	}
	if len(m.Base.Outputs) == 0 {
		return nil, c.bad(path, "no outputs; name the layers whose outputs end the base, e.g. [features]")
	}
	names := defaultLayerNames(m.Layers)
	if !m.Functional() {
		last := -1
		for k, t := range m.Base.Outputs {
			i := slices.Index(names, t)
			if i < 0 {
				return nil, c.bad(indexPath(path, k), "unknown layer %q (layers: %s)", t, strings.Join(names, ", "))
			}
			last = max(last, i)
		}
		entries := make([]int, last+1)
		for i := range entries {
			entries[i] = i
		}
		return entries, nil
	}
	g, err := c.graph("model", m)
	if err != nil {
		return nil, err
	}
	byTensor := map[string]*Node{}
	for i := range g.Nodes {
		byTensor[g.Nodes[i].Tensor] = &g.Nodes[i]
	}
	in := map[int]bool{}
	var mark func(t string)
	mark = func(t string) {
		n := byTensor[t]
		if n == nil || in[n.Index] { // a model input, or seen
			return
		}
		in[n.Index] = true
		in[n.First] = true // a reuse entry's layer is defined there
		for _, u := range n.Call {
			mark(u)
		}
	}
	for k, t := range m.Base.Outputs {
		if byTensor[t] == nil {
			if slices.ContainsFunc(m.Inputs, func(x Input) bool { return x.Name == t }) {
				return nil, c.bad(indexPath(path, k), "%q is a model input; the base's outputs are layers' outputs", t)
			}
			return nil, c.bad(indexPath(path, k), "unknown tensor %q (layers' outputs: %s)", t, strings.Join(sortedKeys(byTensor), ", "))
		}
		mark(t)
	}
	var entries []int
	for i := range m.Layers {
		if in[i] && m.Layers[i].Reuse == "" {
			entries = append(entries, i)
		}
	}
	return entries, nil
}

// withFrozen returns a copy of the model's layers with Frozen set as FrozenLayers says
// (what the fingerprint records: which layers train, however the config says it).
func (m *Model) withFrozen() []Layer {
	ls := slices.Clone(m.Layers)
	for i, f := range m.FrozenLayers() {
		ls[i].Frozen = f
	}
	return ls
}

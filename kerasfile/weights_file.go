package kerasfile

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tfrun/tfrun/internal/hdf5"
)

// LayerRef names a layer of a model whose weights a weights file holds: its name and its
// Keras class.
type LayerRef struct {
	Name, Class string
}

// LoadWeights reads a weights file, model.save_weights's: Keras 3's .weights.h5 (each
// layer's weights under layers/<its class in snake case>[_<n>], in the order of the model's
// layers) or Keras 2's (a group per layer name, listed by layer_names, each listing its
// weight_names). layers are the model's layers in Keras's order (model.layers, the order of
// a config's layers), which Keras 3's file needs to name its groups. It returns each
// layer's weights by name; a layer the file lacks has none.
func LoadWeights(path string, layers []LayerRef) (map[string][]Weight, error) {
	h, err := hdf5.Open(path)
	if err != nil {
		return nil, wrapFormat(err)
	}
	defer h.Close()
	out := map[string][]Weight{}
	root := h.Root()
	if _, err := root.Attr("layer_names"); err == nil { // Keras 2
		m := &Model{File: path, Weights: out}
		for _, l := range layers {
			m.Layers = append(m.Layers, Layer{Name: l.Name, Class: l.Class})
		}
		if err := legacyWeights(m, root); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return out, nil
	}
	if _, err := root.Group("layers"); err != nil {
		if errors.Is(err, hdf5.ErrNotFound) {
			return nil, formatError(path, "neither a Keras 3 weights file (no layers group) nor a Keras 2 one (no layer_names attribute)")
		}
		return nil, fmt.Errorf("%s: %w", path, wrapFormat(err))
	}
	if err := keras3Weights(root, layers, out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// keras3Weights reads the weights of layers (in the model's order) from a Keras 3 weights
// file's root into out: Keras's saving_lib names each layer's group after its class,
// /layers/<class in snake case>[_<n>], the n-th of the class in the model's layers.
func keras3Weights(root *hdf5.Group, layers []LayerRef, out map[string][]Weight) error {
	for i, group := range keras3Groups(layers) {
		l := layers[i]
		g, err := root.Group(group)
		if errors.Is(err, hdf5.ErrNotFound) {
			continue // a layer without weights
		}
		if err != nil {
			return wrapFormat(err)
		}
		ws, err := groupWeights(g, 0)
		if err != nil {
			return err
		}
		if len(ws) > 0 {
			out[l.Name] = ws
		}
	}
	return nil
}

// keras3Groups are the groups of a Keras 3 weights file that hold the weights of layers
// (in the model's order): layers/<class in snake case>[_<n>], the n-th of its class, as
// Keras's saving_lib names them (by class and rank, not by the layer's name).
func keras3Groups(layers []LayerRef) []string {
	used := map[string]int{}
	out := make([]string, len(layers))
	for i, l := range layers {
		group := kerasSnakeCase(l.Class)
		if k, seen := used[group]; seen {
			used[group] = k + 1
			group = fmt.Sprintf("%s_%d", group, k+1)
		} else {
			used[group] = 0
		}
		out[i] = "layers/" + group
	}
	return out
}

// WeightGroups tells where a weights file holds the weights of layers (in the model's
// order, as LoadWeights takes them): for Keras 3's .weights.h5, each layer's group
// ("layers/dense_1": Keras 3 finds a layer's weights by its class and rank, not its name)
// and the groups of layers with weights the file has; for Keras 2's file, which finds them by
// layer name, nil and nil.
func WeightGroups(path string, layers []LayerRef) (byLayer map[string]string, inFile []string, err error) {
	h, err := hdf5.Open(path)
	if err != nil {
		return nil, nil, wrapFormat(err)
	}
	defer h.Close()
	if _, err := h.Root().Attr("layer_names"); err == nil { // Keras 2
		return nil, nil, nil
	}
	g, err := h.Root().Group("layers")
	if errors.Is(err, hdf5.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, wrapFormat(err))
	}
	children, err := g.Children()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, wrapFormat(err))
	}
	for _, c := range children { // the groups of layers with weights
		if vars, err := g.Group(c + "/vars"); err == nil {
			if ws, err := vars.Children(); err == nil && len(ws) > 0 {
				inFile = append(inFile, "layers/"+c)
			}
		}
	}
	slices.Sort(inFile)
	byLayer = map[string]string{}
	for i, group := range keras3Groups(layers) {
		byLayer[layers[i].Name] = group
	}
	return byLayer, inFile, nil
}

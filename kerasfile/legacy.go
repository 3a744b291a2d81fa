package kerasfile

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tfrun/tfrun/internal/hdf5"
)

// loadLegacy reads Keras 2's legacy .h5 model file (model.save("m.h5")): the model's
// config in the root's model_config attribute (JSON), its weights under
// model_weights/<layer name>/, listed in order by the group's weight_names attribute.
func loadLegacy(path string) (*Model, error) {
	h, err := hdf5.Open(path)
	if err != nil {
		return nil, wrapFormat(err)
	}
	defer h.Close()
	a, err := h.Root().Attr("model_config")
	if errors.Is(err, hdf5.ErrNotFound) {
		return nil, formatError(path, "an HDF5 file without a model_config attribute: not a Keras model file (a .weights.h5 file holds weights only: import it with a config)")
	}
	if err != nil {
		return nil, wrapFormat(err)
	}
	text, err := a.String()
	if err != nil {
		return nil, wrapFormat(err)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, formatError(path, "model_config: %v", err)
	}
	m := &Model{File: path, Weights: map[string][]Weight{}}
	if v, err := h.Root().Attr("keras_version"); err == nil {
		m.KerasVersion, _ = v.String()
	}
	if tc, err := h.Root().Attr("training_config"); err == nil {
		if s, err := tc.String(); err == nil {
			var t map[string]any
			if json.Unmarshal([]byte(s), &t) == nil {
				raw["compile_config"] = t
			}
		}
	}
	c := &converter{m: m}
	c.model(raw)
	if len(c.problems) > 0 {
		return nil, &Error{File: path, Problems: c.problems}
	}
	weights, err := h.Root().Group("model_weights")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, wrapFormat(err))
	}
	if err := legacyWeights(m, weights); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// legacyWeights reads the weights of each of m's layers from a legacy file's
// model_weights group (or a Keras 2 .weights.h5 file's root).
func legacyWeights(m *Model, g *hdf5.Group) error {
	for _, l := range m.Layers {
		if l.Reuse != "" {
			continue
		}
		lg, err := g.Group(l.Name)
		if errors.Is(err, hdf5.ErrNotFound) {
			continue
		}
		if err != nil {
			return wrapFormat(err)
		}
		a, err := lg.Attr("weight_names")
		if errors.Is(err, hdf5.ErrNotFound) {
			continue
		}
		if err != nil {
			return wrapFormat(err)
		}
		if a.Len() == 0 {
			continue // a layer without weights (h5py stores the empty list as float64)
		}
		names, err := a.Strings()
		if err != nil {
			return wrapFormat(err)
		}
		for _, n := range names {
			ds, err := lg.Dataset(n)
			if err != nil {
				return wrapFormat(err)
			}
			w, err := readWeight(ds)
			if err != nil {
				return err
			}
			m.Weights[l.Name] = append(m.Weights[l.Name], w)
		}
	}
	return nil
}

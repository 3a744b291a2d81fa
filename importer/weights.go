package importer

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/kerasfile"
)

// ImportWeights writes the run directory of a tfrun config whose model is the one a Keras
// weights file (model.save_weights: a .weights.h5 of Keras 3 or Keras 2) was saved from:
// the config's layers, in order, are the Keras model's layers, with Keras's classes (and,
// for a Keras 2 file, its layer names). The config is copied into o.Dir as it is.
func ImportWeights(weightsPath, configPath string, o Options) (*Result, error) {
	cfg, err := configs.Load(configPath)
	if err != nil {
		return nil, err
	}
	sup := cfg.Supervised()
	if sup == nil {
		return nil, fmt.Errorf("%s: %w: task %s: weights import into a classifier's config", configPath, ErrNotImportable, cfg.Task)
	}
	m := &kerasfile.Model{File: weightsPath, Name: cfg.Name, Sequential: !sup.Model.Functional(), Inputs: sup.Model.Inputs, Outputs: sup.Model.OutputNames()}
	var refs []kerasfile.LayerRef
	counts := map[string]int{}
	for _, l := range sup.Model.Layers {
		if l.Reuse != "" {
			continue
		}
		name := l.Name
		if name == "" { // tfrun names an unnamed layer as Keras does: dense, dense_1, ...
			base := l.Spec().DefaultName
			name = base
			if k := counts[base]; k > 0 {
				name = fmt.Sprintf("%s_%d", base, k)
			}
			counts[base]++
		}
		refs = append(refs, kerasfile.LayerRef{Name: name, Class: l.Type})
		m.Layers = append(m.Layers, kerasfile.Layer{Name: name, Class: l.Type, Config: l})
	}
	if m.Weights, err = kerasfile.LoadWeights(weightsPath, refs); err != nil {
		return nil, err
	}
	if m.WeightGroups, m.FileGroups, err = kerasfile.WeightGroups(weightsPath, refs); err != nil {
		return nil, err
	}
	s := spec{multi: sup.Model.MultiIO(), classes: !sup.Train.Loss.Regression()}
	if !s.multi {
		shape, ids, known := cfg.Data.InputShape()
		if !known && len(sup.Model.Inputs) == 1 {
			shape, ids, known = sup.Model.Inputs[0].Shape, sup.Model.Inputs[0].DType == configs.DTypeInt32, true
		}
		if !known {
			return nil, fmt.Errorf("%s: %w: the config does not tell the input's shape (give model.inputs)", configPath, ErrNotImportable)
		}
		s.shape, s.ids = []int(shape), ids
		s.classes = s.classes && cfg.Data.Own()
	}
	if err := checkEmpty(o.Dir); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(configPath)
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(o.Dir, filepath.Base(configPath))
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		return nil, err
	}
	params, prefix, err := save(cfg, m, s, o)
	if err != nil {
		return nil, err
	}
	return &Result{Model: m, Config: cfgPath, Checkpoint: prefix, Params: params}, nil
}

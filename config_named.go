package tfrun

import (
	"github.com/tfrun/tfrun/classifier"
)

// loadNamedData is LoadData for a model fed by name (data.inputs, data.outputs): each
// split's examples by input and output name, the first limit of each (limit > 0).
func (m *Model) loadNamedData(outDir string, limit int) (*Splits, error) {
	s, err := classifier.LoadMultiSplits(m.cfg, outDir, m.compiled.seed)
	if err != nil {
		return nil, err
	}
	out := &Splits{OutputClassNames: s.ClassNames}
	for _, p := range []struct {
		e  *classifier.Examples
		to *Data
	}{{s.Train, &out.Train}, {s.Validation, &out.Validation}, {s.Test, &out.Test}} {
		if p.e != nil {
			*p.to = fromExamples(p.e, limit)
		}
	}
	return out, nil
}

// fromExamples is e as Data's Inputs and Outputs, the first limit examples (limit > 0).
func fromExamples(e *classifier.Examples, limit int) Data {
	arrays := func(ts map[string]classifier.Tensor) map[string]Array {
		out := make(map[string]Array, len(ts))
		for name, t := range ts {
			a := Array{Shape: []int(t.Shape), Floats: t.Floats, Ints: t.Ints}
			if n := limit * a.rowLen(); limit > 0 && a.Len() > limit {
				if a.Floats != nil {
					a.Floats = a.Floats[:n]
				} else {
					a.Ints = a.Ints[:n]
				}
			}
			out[name] = a
		}
		return out
	}
	return Data{Inputs: arrays(e.Inputs), Outputs: arrays(e.Labels)}
}

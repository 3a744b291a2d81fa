package configs

import (
	"reflect"
	"slices"
)

// Decoding a functional model's YAML: model.inputs, a layer's call and a reuse entry.

// inputs decodes model.inputs: a mapping from each input's name to its {shape, dtype}
// (or nothing, for the data's), sorted by name.
func (d *decoder) inputs(path string, raw any, in *Inputs) error {
	m, err := d.mapping(path, raw, " from input names to {shape: [...], dtype: ...}, e.g. {image: {shape: [28, 28, 1]}}")
	if err != nil {
		return err
	}
	names := sortedKeys(m)
	if len(names) == 0 {
		return d.bad(path, "no inputs; name at least one, e.g. {image: {shape: [28, 28, 1]}}")
	}
	out := make(Inputs, 0, len(names))
	for _, name := range names {
		x := Input{Name: name}
		if r := m[name]; r != nil {
			if err := d.structure(join(path, name), r, reflect.ValueOf(&x).Elem()); err != nil {
				return err
			}
		}
		out = append(out, x)
	}
	*in = out
	return nil
}

// call decodes a layer's call: one tensor name, or a list of them.
func (d *decoder) call(path string, m map[string]any, l *Layer) error {
	r, ok := m["call"]
	if !ok || r == nil {
		return nil
	}
	p := join(path, "call")
	switch x := r.(type) {
	case string:
		l.Call = []string{x}
		return nil
	case []any:
		if len(x) == 0 {
			return d.bad(p, "an empty list; name the tensors the layer is called on")
		}
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				return d.wrongType(indexPath(p, i), "a tensor name (a string)", item)
			}
			l.Call = append(l.Call, s)
		}
		return nil
	}
	return d.wrongType(p, "a tensor name or a list of them", r)
}

// reuse decodes an entry that calls an earlier layer again: name (its output's), reuse
// (the layer's name) and call only; Load gives it the reused layer's type and arguments.
func (d *decoder) reuse(path string, m map[string]any, l *Layer) error {
	known := []string{"name", "reuse", "call"}
	if _, typed := m["type"]; typed {
		return d.bad(join(path, "type"), "an entry with reuse calls an existing layer, with its type and arguments; give only %v", known)
	}
	if err := d.knownKeys(path, m, known, " for an entry with reuse"); err != nil {
		return err
	}
	*l = Layer{}
	for _, f := range []struct {
		key string
		dst *string
	}{{"reuse", &l.Reuse}, {"name", &l.Name}} {
		if r, ok := m[f.key]; ok && r != nil {
			if err := d.value(join(path, f.key), r, reflect.ValueOf(f.dst).Elem()); err != nil {
				return err
			}
		}
	}
	if l.Reuse == "" {
		return d.missing(join(path, "reuse"), ": the name of the layer called again")
	}
	if err := d.call(path, m, l); err != nil {
		return err
	}
	l.Call = slices.Clip(l.Call)
	return nil
}

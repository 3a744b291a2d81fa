package kerasfile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

// tensorRef is a functional model's tensor: Keras's keras_history, the node index'th call
// of a layer and that call's tensor index'th output.
type tensorRef struct {
	layer       string
	node, index int
}

// functional converts a functional model: its InputLayers become model.inputs, each call
// of a layer an entry (a second call of a shared layer an entry with reuse), and
// output_layers model.outputs.
func (c *converter) functional(cfg map[string]any, layers []any) {
	names := map[string]bool{}
	for _, item := range layers {
		l, _ := item.(map[string]any)
		if n, ok := l["name"].(string); ok {
			names[n] = true
		}
	}
	inputNames := map[string]string{} // Keras input layer name → tfrun input name (lower case)
	callName := func(layer string, node int) string {
		if node == 0 {
			return layer
		}
		n := fmt.Sprintf("%s_call_%d", layer, node)
		for names[n] {
			n += "_"
		}
		return n
	}
	tensor := func(layerName, class string, t tensorRef) (string, bool) {
		if t.index != 0 {
			c.problem(layerName, class, "", "called on output %d of layer %q: layers of several outputs are not supported", t.index, t.layer)
			return "", false
		}
		if in, ok := inputNames[t.layer]; ok {
			return in, true
		}
		return callName(t.layer, t.node), true
	}
	// Inputs first: a layer may be called on an input listed after it.
	for _, item := range layers {
		l, _ := item.(map[string]any)
		if class, _ := l["class_name"].(string); class != "InputLayer" {
			continue
		}
		lc, _ := l["config"].(map[string]any)
		name, _ := l["name"].(string)
		shape, ok := batchShape(lc)
		if !ok {
			c.problem(name, "InputLayer", "batch_shape", "missing")
			continue
		}
		in := configs.Input{Name: strings.ToLower(name), Shape: configs.Shape(shape), DType: configs.DTypeFloat32}
		if dt, ok := lc["dtype"].(string); ok && isIntDType(dt) {
			in.DType = configs.DTypeInt32
		}
		for _, d := range shape {
			if d <= 0 {
				c.problem(name, "InputLayer", "batch_shape", "%v: tfrun needs every dimension but the batch known", shape)
			}
		}
		inputNames[name] = in.Name
		c.m.Inputs = append(c.m.Inputs, in)
	}
	// Keras's order of inputs is input_layers'.
	if refs, ok := tensorRefs(cfg["input_layers"]); ok {
		var ordered []configs.Input
		for _, r := range refs {
			for _, in := range c.m.Inputs {
				if in.Name == inputNames[r.layer] {
					ordered = append(ordered, in)
				}
			}
		}
		if len(ordered) == len(c.m.Inputs) {
			c.m.Inputs = ordered
		}
	}
	for _, item := range layers {
		l, _ := item.(map[string]any)
		class, _ := l["class_name"].(string)
		if class == "InputLayer" {
			continue
		}
		name, _ := l["name"].(string)
		lc, _ := l["config"].(map[string]any)
		if lc == nil {
			c.problem(name, class, "", "no config")
			continue
		}
		nodes, err := inboundNodes(l["inbound_nodes"])
		if err != nil {
			c.problem(name, class, "", "inbound_nodes: %v", err)
			continue
		}
		ly, ok := c.layer(name, class, lc, l)
		for k, node := range nodes {
			var call []string
			for _, t := range node {
				if n, ok := tensor(name, class, t); ok {
					call = append(call, n)
				}
			}
			if !ok {
				continue
			}
			if k == 0 {
				ly.Call = call
				c.m.Layers = append(c.m.Layers, ly)
				continue
			}
			c.m.Layers = append(c.m.Layers, Layer{Name: callName(name, k), Class: class, Call: call, Reuse: name})
		}
	}
	if refs, ok := tensorRefs(cfg["output_layers"]); ok {
		for _, r := range refs {
			if n, ok := tensor("", "", r); ok {
				c.m.Outputs = append(c.m.Outputs, n)
			}
		}
	}
	if len(c.m.Inputs) == 0 {
		c.problem("", "Functional", "", "no InputLayer")
	}
	if len(c.m.Outputs) == 0 {
		c.problem("", "Functional", "", "output_layers: none read")
	}
}

// tensorRefs reads input_layers or output_layers: [name, node, index] or a list of them.
func tensorRefs(v any) ([]tensorRef, bool) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, false
	}
	if r, ok := tensorRefOf(list); ok {
		return []tensorRef{r}, true
	}
	var out []tensorRef
	for _, item := range list {
		l, _ := item.([]any)
		r, ok := tensorRefOf(l)
		if !ok {
			return nil, false
		}
		out = append(out, r)
	}
	return out, true
}

// tensorRefOf reads [name, node, index] (Keras 2 adds a kwargs mapping).
func tensorRefOf(l []any) (tensorRef, bool) {
	if len(l) < 3 {
		return tensorRef{}, false
	}
	name, ok := l[0].(string)
	node, ok1 := l[1].(float64)
	index, ok2 := l[2].(float64)
	if !ok || !ok1 || !ok2 {
		return tensorRef{}, false
	}
	return tensorRef{layer: name, node: int(node), index: int(index)}, true
}

// inboundNodes reads a layer's inbound_nodes: for each call, the tensors it is called on.
// Keras 3 writes {"args": [...], "kwargs": {...}} with __keras_tensor__ objects; Keras 2
// a list of [name, node, index, kwargs].
func inboundNodes(v any) ([][]tensorRef, error) {
	list, _ := v.([]any)
	var out [][]tensorRef
	for i, item := range list {
		var refs []tensorRef
		switch n := item.(type) {
		case map[string]any: // Keras 3
			var collect func(x any) error
			collect = func(x any) error {
				switch t := x.(type) {
				case []any:
					for _, e := range t {
						if err := collect(e); err != nil {
							return err
						}
					}
				case map[string]any:
					if t["class_name"] != "__keras_tensor__" {
						return fmt.Errorf("call %d: an argument of class %v: only tensors are supported", i, t["class_name"])
					}
					cfg, _ := t["config"].(map[string]any)
					h, _ := cfg["keras_history"].([]any)
					r, ok := tensorRefOf(h)
					if !ok {
						return fmt.Errorf("call %d: keras_history %v", i, cfg["keras_history"])
					}
					refs = append(refs, r)
				default:
					return fmt.Errorf("call %d: argument %v: only tensors are supported", i, x)
				}
				return nil
			}
			if err := collect(n["args"]); err != nil {
				return nil, err
			}
			kw, _ := n["kwargs"].(map[string]any)
			for _, k := range slices.Sorted(mapKeys(kw)) {
				if kw[k] != nil && k != "training" {
					return nil, fmt.Errorf("call %d: keyword argument %s: not supported", i, k)
				}
			}
		case []any: // Keras 2
			for _, e := range n {
				l, _ := e.([]any)
				r, ok := tensorRefOf(l)
				if !ok {
					return nil, fmt.Errorf("call %d: %v", i, e)
				}
				if len(l) > 3 {
					if kw, _ := l[3].(map[string]any); len(kw) > 0 {
						for k, v := range kw {
							if v != nil && k != "training" {
								return nil, fmt.Errorf("call %d: keyword argument %s: not supported", i, k)
							}
						}
					}
				}
				refs = append(refs, r)
			}
		default:
			return nil, fmt.Errorf("call %d: %T", i, item)
		}
		if len(refs) == 0 {
			return nil, fmt.Errorf("call %d: on no tensor", i)
		}
		out = append(out, refs)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the layer is never called")
	}
	return out, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

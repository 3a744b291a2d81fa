package kerasfile

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

// converter turns a Keras model config (config.json) into a Model, collecting problems.
type converter struct {
	m        *Model
	problems []Problem
}

func (c *converter) problem(layer, class, arg, format string, args ...any) {
	c.problems = append(c.problems, Problem{Layer: layer, Class: class, Arg: arg, Msg: fmt.Sprintf(format, args...)})
}

func (c *converter) warn(layer, class, arg, format string, args ...any) {
	c.m.Warnings = append(c.m.Warnings, Problem{Layer: layer, Class: class, Arg: arg, Msg: fmt.Sprintf(format, args...)})
}

// metaKeys are the keys of a Keras layer config that are not arguments of its computation.
var metaKeys = map[string]bool{"name": true, "dtype": true, "batch_input_shape": true, "batch_shape": true, "trainable": true}

// model converts the Keras config of a whole model (config.json's object).
func (c *converter) model(raw map[string]any) {
	class, _ := raw["class_name"].(string)
	cfg, _ := raw["config"].(map[string]any)
	if cfg == nil {
		c.problem("", "", "", "config.json has no model config (class_name %q)", class)
		return
	}
	c.m.Name, _ = cfg["name"].(string)
	layers, _ := cfg["layers"].([]any)
	switch class {
	case "Sequential":
		c.m.Sequential = true
		c.sequential(raw, layers)
	case "Functional", "Model":
		c.functional(cfg, layers)
	default:
		c.problem("", class, "", "a model of class %s: tfrun imports Sequential and functional models (a subclassed model has no config to import)", class)
		return
	}
	if len(c.m.Layers) == 0 && len(c.problems) == 0 {
		c.problem("", class, "", "no layers")
	}
	if cc, ok := raw["compile_config"].(map[string]any); ok {
		c.m.Loss = lossName(cc["loss"])
	}
}

// lossName is Keras's compile loss as tfrun names losses: a string as given, a loss object
// as its class name in snake case ("" when neither).
func lossName(v any) string {
	switch l := v.(type) {
	case string:
		return l
	case map[string]any:
		if cfg, ok := l["config"].(map[string]any); ok {
			if fl, _ := cfg["from_logits"].(bool); fl {
				return "" // tfrun's losses take probabilities
			}
		}
		if name, ok := l["class_name"].(string); ok {
			return kerasSnakeCase(name)
		}
	}
	return ""
}

// sequential converts a Sequential's layers: its input shape from the InputLayer (Keras 3),
// the first layer's batch_input_shape (Keras 2) or the model's build_config.
func (c *converter) sequential(raw map[string]any, layers []any) {
	in := configs.Input{Name: "input", DType: configs.DTypeFloat32}
	var shape []int
	for i, item := range layers {
		l, _ := item.(map[string]any)
		class, _ := l["class_name"].(string)
		cfg, _ := l["config"].(map[string]any)
		if cfg == nil {
			c.problem(fmt.Sprint(i), class, "", "no config")
			continue
		}
		if shape == nil {
			if s, ok := batchShape(cfg); ok {
				shape = s
				if dt, ok := cfg["dtype"].(string); ok && isIntDType(dt) {
					in.DType = configs.DTypeInt32
				}
			}
		}
		if class == "InputLayer" {
			continue
		}
		name, _ := cfg["name"].(string)
		if name == "" {
			name, _ = l["name"].(string)
		}
		if ly, ok := c.layer(name, class, cfg, l); ok {
			c.m.Layers = append(c.m.Layers, ly)
		}
	}
	if shape == nil {
		if bc, ok := raw["build_config"].(map[string]any); ok {
			shape, _ = dims(bc["input_shape"], true)
		}
	}
	if shape == nil {
		c.problem("", "Sequential", "", "the input shape is unknown (no InputLayer, batch_input_shape or build_config): build the model, or give keras.Input, before saving")
		return
	}
	for _, d := range shape {
		if d <= 0 {
			c.problem("", "Sequential", "", "input shape %v: tfrun needs every dimension but the batch known", shape)
			return
		}
	}
	if len(c.m.Layers) > 0 && c.m.Layers[0].Config.Spec() != nil && c.m.Layers[0].Config.Spec().TakesIDs {
		in.DType = configs.DTypeInt32
	}
	in.Shape = configs.Shape(shape)
	c.m.Inputs = []configs.Input{in}
	if n := len(c.m.Layers); n > 0 {
		c.m.Outputs = []string{c.m.Layers[n-1].Name}
	}
}

// isIntDType reports whether a Keras dtype is an integer type.
func isIntDType(dt string) bool { return strings.HasPrefix(dt, "int") || strings.HasPrefix(dt, "uint") }

// batchShape is a layer config's batch_shape (Keras 3) or batch_input_shape (Keras 2)
// without the batch axis.
func batchShape(cfg map[string]any) ([]int, bool) {
	for _, key := range []string{"batch_shape", "batch_input_shape"} {
		if s, ok := dims(cfg[key], true); ok {
			return s, true
		}
	}
	return nil, false
}

// dims reads a JSON shape; dropBatch drops its first entry. None is -1.
func dims(v any, dropBatch bool) ([]int, bool) {
	list, ok := v.([]any)
	if !ok || (dropBatch && len(list) == 0) {
		return nil, false
	}
	if dropBatch {
		list = list[1:]
	}
	out := make([]int, len(list))
	for i, d := range list {
		switch x := d.(type) {
		case nil:
			out[i] = -1
		case float64:
			out[i] = int(x)
		default:
			return nil, false
		}
	}
	return out, true
}

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

// layer converts one Keras layer (class and config; whole is its entry in the model's
// layers, for build_config) into a config entry. It reports every problem of the layer;
// ok is false when the layer cannot be represented.
func (c *converter) layer(name, class string, cfg map[string]any, whole map[string]any) (Layer, bool) {
	spec, ok := configs.LookupLayer(class)
	if !ok && (class == "Sequential" || class == "Functional" || class == "Model") {
		c.problem(name, class, "", "a model used as a layer: tfrun imports a flat model (build the outer model from the inner one's layers)")
		return Layer{}, false
	}
	if !ok {
		c.problem(name, class, "", "tfrun has no %s layer", class)
		return Layer{}, false
	}
	before := len(c.problems)
	l, _ := configs.NewLayer(class)
	l.Name = name
	rank := -1 // the input's rank with the batch axis, when build_config tells
	if bc, ok := whole["build_config"].(map[string]any); ok {
		if s, ok := dims(bc["input_shape"], false); ok {
			rank = len(s)
		}
	}
	if t, ok := cfg["trainable"].(bool); ok && !t {
		c.warn(name, class, "trainable", "false: imported as trainable (set trainable: false in the config to freeze it)")
	}
	for _, key := range slices.Sorted(mapKeys(cfg)) {
		v := cfg[key]
		if metaKeys[key] {
			continue
		}
		a, has := spec.Arg(key)
		if !has {
			for _, x := range spec.Args {
				if x.Alias == key {
					a, has = x, true
				}
			}
		}
		if !has && strings.HasSuffix(key, "_initializer") {
			c.droppedInitializer(name, class, key, v)
			continue
		}
		if !has {
			if !neutral(class, key, v, rank) {
				c.problem(name, class, key, "%s: tfrun's %s does not take %s (it implements only %s)", jsonValue(v), class, key, neutralDoc(key))
			}
			continue
		}
		if key == "axis" && rank > 0 {
			v = lastAxis(v, rank)
		}
		if v == nil {
			if a.Optional || a.DefaultFrom != "" {
				continue
			}
			if a.Kind == configs.KindRegularizer {
				continue // no regularizer
			}
			c.problem(name, class, key, "None: tfrun needs a value")
			continue
		}
		if strings.HasSuffix(key, "_initializer") {
			if s, ok := c.initializer(name, class, key, a, v); ok {
				_ = l.Set(a.Key, s)
			}
			continue
		}
		val, err := c.value(a, v)
		if err != nil {
			c.problem(name, class, key, "%s: %v", jsonValue(v), err)
			continue
		}
		if err := l.Set(a.Key, val); err != nil {
			c.problem(name, class, key, "%s: %v", jsonValue(v), err)
		}
	}
	// Validate reports one problem at a time: report it, reset that argument to its
	// default, and look again, so that every bad value of the layer is listed.
	fresh, _ := configs.NewLayer(class)
	for range len(spec.Args) + 1 {
		err := l.Validate()
		if err == nil {
			break
		}
		key := ""
		var ce *configs.Error
		if e, ok := err.(*configs.Error); ok {
			ce = e
			key = strings.Split(ce.Key, ".")[0]
		}
		msg := err.Error()
		if ce != nil && ce.Err != nil {
			msg = ce.Err.Error()
		}
		c.problem(name, class, key, "%s", msg)
		def, ok := fresh.Args()[key]
		if key == "" || !ok {
			break
		}
		if err := l.Set(key, def); err != nil {
			break
		}
	}
	if len(c.problems) > before {
		return Layer{}, false
	}
	out := Layer{Name: name, Class: class, Config: l}
	got, defaults := l.Args(), fresh.Args()
	for _, a := range spec.Args {
		v, ok := got[a.Key]
		if !ok {
			continue
		}
		if !differs(a, v, got, defaults) {
			continue
		}
		out.Args = append(out.Args, Arg{Key: a.Key, Value: v})
	}
	return out, true
}

// lastAxis is an axis argument naming the input's last axis (rank with the batch axis)
// as -1, which tfrun's layers that normalize only the last axis take; others unchanged.
func lastAxis(v any, rank int) any {
	switch x := v.(type) {
	case float64:
		if int(x) == rank-1 {
			return -1.0
		}
	case []any:
		if len(x) == 1 {
			if f, ok := x[0].(float64); ok && (int(f) == rank-1 || f == -1) {
				return -1.0
			}
		}
	}
	return v
}

// differs reports whether argument a's value v must be written: it is not the value the
// argument takes when left out (its default, or for an argument defaulting to another,
// such as a pooling layer's strides to pool_size, that one's value in got).
func differs(a configs.Arg, v any, got, defaults map[string]any) bool {
	if a.DefaultFrom != "" {
		return !reflect.DeepEqual(got[a.DefaultFrom], v)
	}
	d, isDef := defaults[a.Key]
	return !isDef || !reflect.DeepEqual(d, v)
}

// kerasDefaultInitializers are the initializers Keras's layers default to.
var kerasDefaultInitializers = []string{"GlorotUniform", "Zeros", "Ones", "Orthogonal", "RandomUniform"}

// droppedInitializer notes an initializer argument tfrun's layer does not take (tfrun
// initializes as Keras's default does): a warning unless it is one of Keras's defaults.
// The imported weights replace the initial values either way.
func (c *converter) droppedInitializer(layer, class, key string, v any) {
	m, _ := v.(map[string]any)
	cn, _ := m["class_name"].(string)
	if v == nil || slices.Contains(kerasDefaultInitializers, cn) {
		return
	}
	c.warn(layer, class, key, "%s: tfrun's %s initializes as Keras's default does; the weights are imported, only a fresh start differs", jsonValue(v), class)
}

// initializer converts a Keras initializer object to tfrun's name. One tfrun lacks, or one
// with other parameters than the name's defaults, keeps tfrun's default with a warning: the
// imported weights replace the initial values.
func (c *converter) initializer(layer, class, key string, a configs.Arg, v any) (string, bool) {
	name := ""
	params := map[string]any{}
	switch x := v.(type) {
	case string:
		name = x
	case map[string]any:
		cn, _ := x["class_name"].(string)
		name = kerasSnakeCase(cn)
		params, _ = x["config"].(map[string]any)
	}
	defaults := map[string]map[string]float64{
		configs.InitializerRandomNormal:  {"mean": 0, "stddev": 0.05},
		configs.InitializerRandomUniform: {"minval": -0.05, "maxval": 0.05},
		configs.InitializerOrthogonal:    {"gain": 1},
	}
	ok := slices.Contains(a.Choices, name)
	for k, p := range params {
		if p == nil || k == "seed" {
			continue
		}
		f, isNum := p.(float64)
		if want, known := defaults[name][k]; !known || !isNum || math.Abs(f-want) > 1e-12 {
			ok = false
		}
	}
	if !ok {
		c.warn(layer, class, key, "%s: not one of tfrun's (%s); the weights are imported, the config keeps tfrun's default", jsonValue(v), strings.Join(a.Choices, ", "))
		return "", false
	}
	return name, true
}

// value converts a Keras argument value to the Go type of a's kind.
func (c *converter) value(a configs.Arg, v any) (any, error) {
	switch a.Kind {
	case configs.KindInt:
		if l, ok := v.([]any); ok && len(l) == 1 {
			v = l[0]
		}
		if f, ok := v.(float64); ok && f == math.Trunc(f) {
			return int(f), nil
		}
	case configs.KindFloat:
		if f, ok := v.(float64); ok {
			return f, nil
		}
	case configs.KindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case configs.KindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
		if m, ok := v.(map[string]any); ok {
			return nil, fmt.Errorf("an object of class %v: tfrun takes one of %s", m["class_name"], strings.Join(a.Choices, ", "))
		}
	case configs.KindPair:
		switch x := v.(type) {
		case float64:
			return [2]int{int(x), int(x)}, nil
		case []any:
			if len(x) == 2 {
				p, ok0 := x[0].(float64)
				q, ok1 := x[1].(float64)
				if ok0 && ok1 {
					return [2]int{int(p), int(q)}, nil
				}
				top, ok0 := x[0].([]any)
				left, ok1 := x[1].([]any)
				if ok0 && ok1 && len(top) == 2 && len(left) == 2 {
					if reflect.DeepEqual(top[0], top[1]) && reflect.DeepEqual(left[0], left[1]) {
						h, _ := top[0].(float64)
						w, _ := left[0].(float64)
						return [2]int{int(h), int(w)}, nil
					}
					return nil, fmt.Errorf("different before and after: tfrun's %s is symmetric ([height, width], the same on both sides)", a.Key)
				}
			}
		}
	case configs.KindInts:
		if x, ok := v.([]any); ok {
			out := make([]int, len(x))
			for i, e := range x {
				f, ok := e.(float64)
				if !ok {
					return nil, fmt.Errorf("want a list of integers")
				}
				out[i] = int(f)
			}
			return out, nil
		}
		if f, ok := v.(float64); ok {
			return []int{int(f)}, nil
		}
	case configs.KindRegularizer:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		cn, _ := m["class_name"].(string)
		cfg, _ := m["config"].(map[string]any)
		out := map[string]any{}
		switch kerasSnakeCase(cn) {
		case "l1", "l2", "l1_l2", "l1l2":
			for _, k := range []string{"l1", "l2"} {
				if f, ok := cfg[k].(float64); ok && f != 0 {
					out[k] = f
				}
			}
		default:
			return nil, fmt.Errorf("regularizer %s: tfrun has l1, l2 and l1_l2", cn)
		}
		return out, nil
	case configs.KindLayer:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		cn, _ := m["class_name"].(string)
		cfg, _ := m["config"].(map[string]any)
		name, _ := cfg["name"].(string)
		inner, ok := c.layer(name, cn, cfg, m)
		if !ok {
			return nil, fmt.Errorf("the wrapped layer cannot be imported (above)")
		}
		return inner.Config, nil
	}
	return nil, fmt.Errorf("want %s", kindName(a.Kind))
}

func kindName(k configs.ArgKind) string {
	switch k {
	case configs.KindInt:
		return "an integer"
	case configs.KindFloat:
		return "a number"
	case configs.KindBool:
		return "true or false"
	case configs.KindString:
		return "a string"
	case configs.KindPair:
		return "an integer or a pair"
	case configs.KindInts:
		return "a list of integers"
	}
	return "another value"
}

// neutrals are values of Keras arguments tfrun does not take that compute what tfrun's
// layer computes (Keras's defaults, mostly); nil matches any value. Besides these, None
// and false are neutral: Keras turns a feature off with them.
var neutrals = map[string][]any{
	"data_format":      {"channels_last"},
	"dilation_rate":    {1.0, []any{1.0}, []any{1.0, 1.0}},
	"groups":           {1.0},
	"seed":             nil, // a random layer's seed: tfrun draws from the run's seed
	"renorm_momentum":  nil, // only with renorm
	"implementation":   nil, // an RNN's kernel choice: the same function
	"use_cudnn":        nil,
	"input_length":     nil, // Keras 2 Embedding: the input's length, known from the shape
	"reset_after":      {true},
	"autocast":         {true},
	"epsilon_ones":     nil,
	"unit_forget_bias": {true},
}

// neutral reports whether argument key = v of a layer of class, which tfrun's layer does
// not take, computes what tfrun computes. rank is the layer's input rank with the batch
// axis (-1 unknown): BatchNormalization's axis may name the last axis.
func neutral(class, key string, v any, rank int) bool {
	if v == nil || v == false {
		return true
	}
	if key == "axis" && class == "BatchNormalization" {
		switch x := v.(type) {
		case float64:
			return x == -1 || (rank > 0 && int(x) == rank-1)
		case []any:
			if len(x) == 1 {
				f, _ := x[0].(float64)
				return f == -1 || (rank > 0 && int(f) == rank-1)
			}
		}
		return false
	}
	vals, ok := neutrals[key]
	if !ok {
		return false
	}
	if vals == nil {
		return true
	}
	for _, n := range vals {
		if reflect.DeepEqual(n, v) {
			return true
		}
	}
	return false
}

// neutralDoc says which values of a key tfrun implements, for a problem's message.
func neutralDoc(key string) string {
	vals, ok := neutrals[key]
	if key == "axis" {
		return "the last axis"
	}
	if !ok || vals == nil {
		return "its absence (None or false)"
	}
	var s []string
	for _, v := range vals {
		s = append(s, jsonValue(v))
	}
	sort.Strings(s)
	return strings.Join(s, " or ")
}

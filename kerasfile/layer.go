package kerasfile

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

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
		if !has && class == "Bidirectional" && key == "backward_layer" && automaticBackward(cfg["layer"], v) {
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
		if k, index, ok := strings.Cut(key, "["); ok { // an entry of a list: padding[1]
			key, msg = k, "["+index+": "+msg
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
			}
		}
	case configs.KindPadding:
		switch x := v.(type) {
		case float64:
			return [2][2]int{{int(x), int(x)}, {int(x), int(x)}}, nil
		case []any:
			if len(x) == 2 {
				p, ok0 := x[0].(float64)
				q, ok1 := x[1].(float64)
				if ok0 && ok1 {
					return [2][2]int{{int(p), int(p)}, {int(q), int(q)}}, nil
				}
				top, ok0 := x[0].([]any)
				left, ok1 := x[1].([]any)
				if ok0 && ok1 && len(top) == 2 && len(left) == 2 {
					var out [2][2]int
					for i, side := range [][]any{top, left} {
						for j, e := range side {
							f, ok := e.(float64)
							if !ok {
								return nil, fmt.Errorf("want %s", kindName(a.Kind))
							}
							out[i][j] = int(f)
						}
					}
					return out, nil
				}
			}
		}
	case configs.KindInts:
		if x, ok := v.([]any); ok {
			out := make([]int, len(x))
			for i, e := range x {
				if e == nil && a.NullItems {
					out[i] = -1 // None
					continue
				}
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
	case configs.KindPadding:
		return "an integer, a pair or a pair of pairs ((top, bottom), (left, right))"
	}
	return "another value"
}

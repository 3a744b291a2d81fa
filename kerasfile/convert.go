package kerasfile

import (
	"fmt"
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

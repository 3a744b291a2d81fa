package kerasfile

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

// ModelYAML is the model section of a tfrun config for m, indented by indent spaces:
// "model:" and its inputs (functional models), layers and outputs.
func (m *Model) ModelYAML() string {
	var b strings.Builder
	b.WriteString("model:\n")
	if !m.Sequential {
		b.WriteString("  inputs:\n")
		for _, in := range m.Inputs {
			fmt.Fprintf(&b, "    %s: {shape: %s", in.Name, intsYAML(in.Shape))
			if in.DType == configs.DTypeInt32 {
				b.WriteString(", dtype: int32")
			}
			b.WriteString("}\n")
		}
	}
	b.WriteString("  layers:\n")
	for _, l := range m.Layers {
		b.WriteString("    - " + layerYAML(l) + "\n")
	}
	if !m.Sequential {
		fmt.Fprintf(&b, "  outputs: [%s]\n", strings.Join(quoteAll(m.Outputs), ", "))
	}
	return b.String()
}

// layerYAML is one entry of model.layers in flow style.
func layerYAML(l Layer) string {
	var parts []string
	parts = append(parts, "name: "+quote(l.Name))
	if l.Reuse != "" {
		parts = append(parts, "reuse: "+quote(l.Reuse))
	} else {
		parts = append(parts, "type: "+l.Class)
	}
	if len(l.Call) == 1 {
		parts = append(parts, "call: "+quote(l.Call[0]))
	} else if len(l.Call) > 1 {
		parts = append(parts, "call: ["+strings.Join(quoteAll(l.Call), ", ")+"]")
	}
	for _, a := range l.Args {
		parts = append(parts, a.Key+": "+argYAML(l.Class, a.Key, a.Value))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// nestedYAML is a wrapped layer (Bidirectional's layer) in flow style.
func nestedYAML(l *configs.Layer) string {
	parts := []string{"type: " + l.Type}
	if l.Name != "" {
		parts = append(parts, "name: "+quote(l.Name))
	}
	fresh, _ := configs.NewLayer(l.Type)
	defaults, got := fresh.Args(), l.Args()
	for _, a := range l.Spec().Args {
		v, ok := got[a.Key]
		if !ok {
			continue
		}
		if !differs(a, v, got, defaults) {
			continue
		}
		parts = append(parts, a.Key+": "+valueYAML(v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// argYAML is argument key of a layer of class in YAML: valueYAML, but a list whose
// entries may be None (Dropout's noise_shape) writes -1 as null, as Keras spells it.
func argYAML(class, key string, v any) string {
	spec, ok := configs.LookupLayer(class)
	if ints, isInts := v.([]int); ok && isInts {
		if a, has := spec.Arg(key); has && a.NullItems {
			p := make([]string, len(ints))
			for i, d := range ints {
				p[i] = strconv.Itoa(d)
				if d == -1 {
					p[i] = "null"
				}
			}
			return "[" + strings.Join(p, ", ") + "]"
		}
	}
	return valueYAML(v)
}

// valueYAML is an argument value in YAML.
func valueYAML(v any) string {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") { // 1 → 1.0, a float in YAML
			s += ".0"
		}
		if strings.Contains(s, "e") && !strings.Contains(s, ".") { // 1e-07 → 1.0e-07 (YAML 1.1 floats)
			s = strings.Replace(s, "e", ".0e", 1)
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	case string:
		return quote(x)
	case [2]int:
		return fmt.Sprintf("[%d, %d]", x[0], x[1])
	case [2][2]int:
		if x[0][0] == x[0][1] && x[1][0] == x[1][1] {
			return fmt.Sprintf("[%d, %d]", x[0][0], x[1][0])
		}
		return fmt.Sprintf("[[%d, %d], [%d, %d]]", x[0][0], x[0][1], x[1][0], x[1][1])
	case []int:
		return intsYAML(x)
	case configs.Regularizer:
		var p []string
		if x.L1 != 0 {
			p = append(p, "l1: "+valueYAML(x.L1))
		}
		if x.L2 != 0 {
			p = append(p, "l2: "+valueYAML(x.L2))
		}
		return "{" + strings.Join(p, ", ") + "}"
	case *configs.Layer:
		return nestedYAML(x)
	}
	return quote(fmt.Sprint(v))
}

func intsYAML[S ~[]int](s S) string {
	p := make([]string, len(s))
	for i, d := range s {
		p[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(p, ", ") + "]"
}

// quote quotes a string for YAML when it needs it (JSON's double quotes are YAML's).
func quote(s string) string {
	plain := s != "" && !slices.Contains([]string{"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}, strings.ToLower(s))
	for i, r := range s {
		if !(r == '_' || r == '-' && i > 0 || r == '.' && i > 0 || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' && i > 0) {
			plain = false
		}
	}
	if plain {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = quote(x)
	}
	return out
}

// jsonValue prints a Keras config value for a message.
func jsonValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

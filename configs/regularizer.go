package configs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Regularizer is a Keras weight or activity regularizer (keras.regularizers): the penalty
// L1·Σ|x| + L2·Σx² (Keras 3's formulas: no ½ on L2). The zero value is none (Keras's
// None), the default of every *_regularizer argument.
//
// YAML spells one as Keras's string (l1 or l2, Keras's default factor 0.01) or as a
// mapping of factors, {l2: 1e-4} or {l1: 1e-5, l2: 1e-4} (Keras's L1L2), optionally with
// Keras's class name: {type: L2, l2: 1e-4}. A bare l1_l2 (Keras 3's "L1L2", whose factors
// default to 0, a penalty of nothing) is refused: give its factors.
type Regularizer struct {
	L1, L2 float64
}

// Regularizer type names, as Keras's class names (keras.regularizers.L1, L2, L1L2).
const (
	RegularizerL1   = "L1"
	RegularizerL2   = "L2"
	RegularizerL1L2 = "L1L2"
)

// Regularizers returns the regularizer names a *_regularizer argument takes.
func Regularizers() []string { return []string{RegularizerL1, RegularizerL2, RegularizerL1L2} }

// regularizerDefault is Keras's factor for a regularizer given by name ("l2" is L2(0.01)).
const regularizerDefault = 0.01

// None reports whether r is no regularizer.
func (r Regularizer) None() bool { return r.L1 == 0 && r.L2 == 0 }

// String is r as YAML would spell it: None, or {l1: …, l2: …}.
func (r Regularizer) String() string {
	if r.None() {
		return "None"
	}
	var parts []string
	if r.L1 != 0 {
		parts = append(parts, "l1: "+strconv.FormatFloat(r.L1, 'g', -1, 64))
	}
	if r.L2 != 0 {
		parts = append(parts, "l2: "+strconv.FormatFloat(r.L2, 'g', -1, 64))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// regularizerType canonicalises a regularizer name: Keras's class name or its snake-case
// alias, in any case (l2, L2, l1_l2, L1L2).
func regularizerType(name string) (string, bool) {
	switch strings.ReplaceAll(strings.ToLower(name), "_", "") {
	case "l1":
		return RegularizerL1, true
	case "l2":
		return RegularizerL2, true
	case "l1l2":
		return RegularizerL1L2, true
	}
	return "", false
}

// parseRegularizer decodes a YAML regularizer: a name, or a mapping of type, l1 and l2.
func parseRegularizer(raw any) (Regularizer, error) {
	valid := "valid: " + strings.Join(Regularizers(), ", ") + " (or l1, l2, l1_l2)"
	switch v := raw.(type) {
	case Regularizer:
		return v, checkRegularizer(v)
	case string:
		t, ok := regularizerType(v)
		if !ok {
			return Regularizer{}, fmt.Errorf("unknown regularizer %q (%s)", v, valid)
		}
		switch t {
		case RegularizerL1:
			return Regularizer{L1: regularizerDefault}, nil
		case RegularizerL2:
			return Regularizer{L2: regularizerDefault}, nil
		}
		return Regularizer{}, fmt.Errorf("regularizer %q needs its factors, e.g. {l1: 0.01, l2: 0.01} (Keras 3's bare L1L2 has both 0)", v)
	case map[string]any:
		var keys []string
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		typ := ""
		var r Regularizer
		var has1, has2 bool
		for _, k := range keys {
			switch k {
			case "type", "class_name":
				s, ok := v[k].(string)
				if !ok {
					return Regularizer{}, fmt.Errorf("%s: want a string, got %T %v", k, v[k], v[k])
				}
				if typ, ok = regularizerType(s); !ok {
					return Regularizer{}, fmt.Errorf("unknown regularizer %q (%s)", s, valid)
				}
			case "l1", "l2":
				f, ok := asFloat(v[k])
				if !ok {
					return Regularizer{}, fmt.Errorf("%s: want a number, got %T %v", k, v[k], v[k])
				}
				if k == "l1" {
					r.L1, has1 = f, true
				} else {
					r.L2, has2 = f, true
				}
			default:
				return Regularizer{}, fmt.Errorf("unknown regularizer key %q (valid: type, l1, l2)", k)
			}
		}
		switch {
		case typ == RegularizerL1 && has2, typ == RegularizerL2 && has1:
			return Regularizer{}, fmt.Errorf("a %s regularizer has no %s factor (use L1L2 for both)", typ, map[string]string{RegularizerL1: "l2", RegularizerL2: "l1"}[typ])
		case typ == RegularizerL1 && !has1:
			r.L1 = regularizerDefault
		case typ == RegularizerL2 && !has2:
			r.L2 = regularizerDefault
		case typ == "" && !has1 && !has2:
			return Regularizer{}, fmt.Errorf("a regularizer mapping needs l1 or l2 (or type)")
		}
		return r, checkRegularizer(r)
	}
	return Regularizer{}, fmt.Errorf("want a regularizer (%s, or a mapping {l1: …, l2: …}), got %T %v", strings.Join([]string{"l1", "l2"}, " or "), raw, raw)
}

// checkRegularizer refuses a negative factor (Keras: "expected a non-negative float").
func checkRegularizer(r Regularizer) error {
	for _, f := range []struct {
		key string
		v   float64
	}{{"l1", r.L1}, {"l2", r.L2}} {
		if f.v < 0 || f.v != f.v {
			return fmt.Errorf("regularizer factor %s %v, want a non-negative number", f.key, f.v)
		}
	}
	return nil
}

// regularizerArgs are kernel_regularizer, bias_regularizer and activity_regularizer (added
// after fingerprints were first taken: Later). A bias_regularizer with use_bias: false
// penalizes nothing, as in Keras, which accepts it silently.
func regularizerArgs() []Arg {
	return []Arg{
		{Key: "kernel_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Later: true, Doc: "penalty on kernel added to the loss"},
		{Key: "bias_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Later: true, Doc: "penalty on bias added to the loss"},
		{Key: "activity_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Later: true,
			Doc: "penalty on the output added to the loss, divided by the batch size"},
	}
}

// Regularizer returns the regularizer argument key.
func (l *Layer) Regularizer(key string) Regularizer {
	v, _ := l.get(key, KindRegularizer).(Regularizer)
	return v
}

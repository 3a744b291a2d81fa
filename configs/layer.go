package configs

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Activation names, as Keras's activation strings (keras.activations). leaky_relu is
// keras.activations.leaky_relu with its default negative_slope 0.2, elu has alpha 1, gelu
// is Keras's default exact form (approximate=False); gelu_approximate is its tanh form
// (approximate=True), under the name keras_hub registers it by. swish is Keras's alias of
// silu.
const (
	ActivationELU             = "elu"
	ActivationExponential     = "exponential"
	ActivationGELU            = "gelu"
	ActivationGELUApproximate = "gelu_approximate"
	ActivationHardSigmoid     = "hard_sigmoid"
	ActivationLeakyReLU       = "leaky_relu"
	ActivationLinear          = "linear"
	ActivationLogSoftmax      = "log_softmax"
	ActivationMish            = "mish"
	ActivationReLU            = "relu"
	ActivationReLU6           = "relu6"
	ActivationSELU            = "selu"
	ActivationSigmoid         = "sigmoid"
	ActivationSiLU            = "silu"
	ActivationSoftmax         = "softmax"
	ActivationSoftplus        = "softplus"
	ActivationSoftsign        = "softsign"
	ActivationSwish           = "swish"
	ActivationTanh            = "tanh"
)

// Activations returns the activation names layers take, sorted.
func Activations() []string {
	return []string{ActivationELU, ActivationExponential, ActivationGELU, ActivationGELUApproximate,
		ActivationHardSigmoid, ActivationLeakyReLU, ActivationLinear, ActivationLogSoftmax, ActivationMish,
		ActivationReLU, ActivationReLU6, ActivationSELU, ActivationSigmoid, ActivationSiLU, ActivationSoftmax,
		ActivationSoftplus, ActivationSoftsign, ActivationSwish, ActivationTanh}
}

// Initializer names, as Keras's initializer strings (with Keras's defaults for each).
const (
	InitializerGlorotNormal  = "glorot_normal"
	InitializerGlorotUniform = "glorot_uniform"
	InitializerHeNormal      = "he_normal"
	InitializerHeUniform     = "he_uniform"
	InitializerOnes          = "ones"
	InitializerOrthogonal    = "orthogonal"
	InitializerRandomNormal  = "random_normal"  // mean 0, stddev 0.05
	InitializerRandomUniform = "random_uniform" // [-0.05, 0.05)
	InitializerZeros         = "zeros"
)

// Initializers returns the initializer names layers take, sorted.
func Initializers() []string {
	return []string{InitializerGlorotNormal, InitializerGlorotUniform, InitializerHeNormal,
		InitializerHeUniform, InitializerOnes, InitializerOrthogonal, InitializerRandomNormal,
		InitializerRandomUniform, InitializerZeros}
}

// vectorInitializers are the initializers that suit a vector (a bias): all but
// orthogonal, which needs a matrix.
func vectorInitializers() []string {
	var out []string
	for _, name := range Initializers() {
		if name != InitializerOrthogonal {
			out = append(out, name)
		}
	}
	return out
}

// Paddings, as Keras's padding strings.
const (
	PaddingValid  = "valid"
	PaddingSame   = "same"
	PaddingCausal = "causal" // Conv1D only
)

// Layer is one Keras layer of a config: its type, its name and its arguments. Which
// arguments a type has, their kinds and Keras's defaults are in the type's LayerSpec (see
// LookupLayer); after Load every argument is set, to the YAML's value or Keras's
// default. Read them with Int, Float, Bool, String, Pair, Padding, Ints and Wrapped.
type Layer struct {
	// Type is the Keras class name, one of LayerTypes. Required.
	Type string
	// Name is the layer's name (Keras name=), which prefixes its variables. Default ""
	// (named as Keras would: dense, dense_1, ...).
	Name string
	// Call names the tensors a functional model's layer is called on (model.inputs'
	// names, other layers' names); nil means the previous layer's output (the model's
	// input for the first). Only in a functional model.
	Call []string
	// Reuse names an earlier layer of a functional model that this entry calls again,
	// sharing its weights (calling a Keras layer object twice); Name then names this
	// call's output, and Type and the arguments are the reused layer's. Only in a
	// functional model.
	Reuse string
	// Frozen is Keras's trainable=False (YAML: trainable: false): the layer's weights are
	// not trained (no gradient, no optimizer slots), a frozen BatchNormalization always
	// normalizes with its moving statistics, and the summary counts its weights as
	// non-trainable. Freezing a wrapper freezes its wrapped layer. Default false
	// (trainable: true). Model.Base freezes a whole sub-graph.
	Frozen bool

	args map[string]any // by key: int, float64, bool, string, [2]int, []int or *Layer
}

// NewLayer returns a layer of type typ (matched case-insensitively) with Keras's defaults;
// its required arguments are left unset (Validate reports them).
func NewLayer(typ string) (Layer, error) {
	canon, ok := canonical(typ, LayerTypes())
	if !ok {
		return Layer{}, &Error{Key: "type", Err: unknownValue(typ, LayerTypes())}
	}
	spec := layerRegistry[canon]
	l := Layer{Type: canon, args: map[string]any{}}
	for _, a := range spec.Args {
		if a.Default != nil {
			l.args[a.Key], _ = convertArg(a, a.Default)
		}
	}
	return l, nil
}

// value is argument key, or for an argument left unset whose default is another's
// (DefaultFrom), that one's value.
func (l *Layer) value(a Arg) (any, bool) {
	v, ok := l.args[a.Key]
	if !ok && a.DefaultFrom != "" {
		v, ok = l.args[a.DefaultFrom]
	}
	return v, ok
}

// Args returns a copy of the layer's arguments by key, every one resolved (an argument
// defaulting to another's has that value).
func (l *Layer) Args() map[string]any {
	out := map[string]any{}
	spec := l.Spec()
	if spec == nil {
		return out
	}
	for _, a := range spec.Args {
		if v, ok := l.value(a); ok {
			if inner, isLayer := v.(*Layer); isLayer {
				c := inner.clone()
				v = &c
			}
			out[a.Key] = v
		}
	}
	return out
}

// Spec is the layer's type's spec (nil for an unknown type).
func (l *Layer) Spec() *LayerSpec { return layerRegistry[l.Type] }

// Has reports whether the argument key is set.
func (l *Layer) Has(key string) bool {
	_, ok := l.args[key]
	return ok
}

// Set sets argument key to v, which must suit the argument's kind (an int for a float, an
// int or a list of two for a pair, a Layer or *Layer for a nested layer). It does not
// check the value's range: Validate does.
func (l *Layer) Set(key string, v any) error {
	spec := l.Spec()
	if spec == nil {
		return &Error{Key: "type", Err: unknownValue(l.Type, LayerTypes())}
	}
	a, ok := spec.Arg(key)
	if !ok {
		return &Error{Key: key, Err: &kindError{kind: ErrUnknownKey, msg: fmt.Sprintf("unknown key for %s (valid: %s)", l.Type, strings.Join(spec.ArgKeys(), ", "))}}
	}
	x, err := convertArg(a, v)
	if err != nil {
		return &Error{Key: key, Err: &kindError{kind: ErrWrongType, msg: err.Error()}}
	}
	if l.args == nil {
		l.args = map[string]any{}
	}
	l.args[key] = x
	return nil
}

// convertArg returns v as the Go type of a's kind.
func convertArg(a Arg, v any) (any, error) {
	want := func() error { return fmt.Errorf("want %s, got %T %v", kindNames[a.Kind], v, v) }
	switch a.Kind {
	case KindInt:
		if n, ok := asInt(v); ok {
			return int(n), nil
		}
	case KindFloat:
		switch f := v.(type) {
		case float64:
			return f, nil
		case float32:
			return float64(f), nil
		}
		if n, ok := asInt(v); ok {
			return float64(n), nil
		}
	case KindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case KindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case KindPair:
		switch p := v.(type) {
		case [2]int:
			return p, nil
		case []int:
			if len(p) == 2 {
				return [2]int{p[0], p[1]}, nil
			}
		}
		if n, ok := asInt(v); ok {
			return [2]int{int(n), int(n)}, nil
		}
	case KindInts:
		if s, ok := v.([]int); ok {
			return slices.Clone(s), nil
		}
	case KindPadding:
		return asPadding(v)
	case KindRegularizer:
		if r, ok := v.(Regularizer); ok { // its range is Validate's to check
			return r, nil
		}
		if r, err := parseRegularizer(v); err == nil {
			return r, nil
		}
	case KindLayer:
		switch x := v.(type) {
		case Layer:
			c := x.clone()
			return &c, nil
		case *Layer:
			if x != nil {
				c := x.clone()
				return &c, nil
			}
		}
	}
	return nil, want()
}

// clone returns a deep copy of l.
func (l Layer) clone() Layer {
	c := l
	c.Call = slices.Clone(l.Call)
	c.args = maps.Clone(l.args)
	for k, v := range c.args {
		switch x := v.(type) {
		case []int:
			c.args[k] = slices.Clone(x)
		case *Layer:
			inner := x.clone()
			c.args[k] = &inner
		}
	}
	return c
}

// Clone returns a deep copy of the layer, safe to change.
func (l *Layer) Clone() Layer { return l.clone() }

// get returns argument key of l, which must be of kind k.
func (l *Layer) get(key string, k ArgKind) any {
	spec := l.Spec()
	if spec == nil {
		panic(fmt.Sprintf("configs: layer of unknown type %q", l.Type))
	}
	a, ok := spec.Arg(key)
	if !ok || a.Kind != k {
		panic(fmt.Sprintf("configs: %s has no %s argument %q", l.Type, kindNames[k], key)) // a programming error
	}
	v, _ := l.value(a)
	return v
}

// Int returns the integer argument key (0 if unset). Asking for an argument the type
// does not have, or of another kind, is a programming error and panics.
func (l *Layer) Int(key string) int { v, _ := l.get(key, KindInt).(int); return v }

// Float returns the number argument key (0 if unset).
func (l *Layer) Float(key string) float64 { v, _ := l.get(key, KindFloat).(float64); return v }

// Bool returns the boolean argument key (false if unset).
func (l *Layer) Bool(key string) bool { v, _ := l.get(key, KindBool).(bool); return v }

// String returns the string argument key ("" if unset).
func (l *Layer) String(key string) string { v, _ := l.get(key, KindString).(string); return v }

// Pair returns the [height, width] argument key.
func (l *Layer) Pair(key string) [2]int { v, _ := l.get(key, KindPair).([2]int); return v }

// Padding returns the ((top, bottom), (left, right)) argument key.
func (l *Layer) Padding(key string) [2][2]int {
	v, _ := l.get(key, KindPadding).([2][2]int)
	return v
}

// Ints returns a copy of the list argument key.
func (l *Layer) Ints(key string) []int { v, _ := l.get(key, KindInts).([]int); return slices.Clone(v) }

// Wrapped returns the nested layer of a wrapper (Bidirectional's layer), or nil for a
// layer type without one.
func (l *Layer) Wrapped() *Layer {
	spec := l.Spec()
	if spec == nil {
		return nil
	}
	for _, a := range spec.Args {
		if a.Kind == KindLayer {
			w, _ := l.args[a.Key].(*Layer)
			return w
		}
	}
	return nil
}

// Validate checks the layer on its own (its type, name and arguments, a wrapped layer
// included), as Load does for each layer of a config.
func (l *Layer) Validate() error {
	c := &checker{}
	return c.layer("", l)
}

// canonical returns the entry of valid equal to s up to case.
func canonical(s string, valid []string) (string, bool) {
	for _, v := range valid {
		if strings.EqualFold(s, v) {
			return v, true
		}
	}
	return "", false
}

// layer checks l's type, name and arguments; path is the layer's key path, e.g.
// "model.layers[2]" ("" for a layer on its own).
func (c *checker) layer(path string, l *Layer) error {
	at := func(key string) string { return join(path, key) }
	spec := l.Spec()
	if spec == nil {
		if canon, ok := canonical(l.Type, LayerTypes()); ok {
			return c.bad(at("type"), "%q: write it as Keras spells it, %q", l.Type, canon)
		}
		return c.err(at("type"), unknownValue(l.Type, LayerTypes()))
	}
	if strings.Contains(l.Name, "/") {
		return c.bad(at("name"), "%q: must not contain \"/\" (it separates variable scopes)", l.Name)
	}
	for _, a := range spec.Args {
		v, ok := l.value(a)
		if !ok && a.Optional {
			continue // Keras's None
		}
		if !ok {
			return c.missing(at(a.Key), " for "+l.Type)
		}
		if _, err := convertArg(a, v); err != nil {
			return c.err(at(a.Key), &kindError{kind: ErrWrongType, msg: err.Error()})
		}
		if err := c.arg(at(a.Key), a, v); err != nil {
			return err
		}
	}
	for key := range l.args {
		if _, ok := spec.Arg(key); !ok {
			return c.err(at(key), &kindError{kind: ErrUnknownKey, msg: fmt.Sprintf("unknown key for %s (valid: %s)", l.Type, strings.Join(spec.ArgKeys(), ", "))})
		}
	}
	if spec.Check != nil {
		if err := spec.Check(l); err != nil {
			return c.layerError(path, err)
		}
	}
	return nil
}

// layerError reports an error of a spec's Check or OutputShape at the layer's path, or at
// its argument's when it names one.
func (c *checker) layerError(path string, err error) error {
	if ae, ok := err.(*layerArgError); ok {
		return c.bad(join(path, ae.key), "%s", ae.msg)
	}
	return c.bad(path, "%s", err.Error())
}

// layers checks a non-empty Sequential stack of layers: each layer, unique names (a
// wrapped layer's included), and no merge layer (a stack has one tensor to call it on).
func (c *checker) layers(path string, ls []Layer) error {
	if len(ls) == 0 {
		return c.bad(path, "no layers; give at least one")
	}
	names := map[string]string{}
	for i := range ls {
		p := indexPath(path, i)
		if err := c.layer(p, &ls[i]); err != nil {
			return err
		}
		for l, lp := &ls[i], p; l != nil; l, lp = l.Wrapped(), lp+".layer" {
			if n := l.Name; n != "" {
				if other, dup := names[n]; dup {
					return c.bad(lp+".name", "%q already names %s", n, other)
				}
				names[n] = lp
			}
		}
		if err := c.notFunctional(p, &ls[i]); err != nil {
			return err
		}
		if ls[i].Spec().Merge {
			return c.bad(p+".type", "%s is a merge layer, called on several tensors; a stack of layers has one (a functional model, with inputs and each layer's call, joins several)", ls[i].Type)
		}
	}
	return nil
}

// asPadding converts a Go value to a ((top, bottom), (left, right)) padding: a
// [2][2]int, a [2]int or []int of two (the same on both sides), or an integer.
func asPadding(v any) (any, error) {
	switch p := v.(type) {
	case [2][2]int:
		return p, nil
	case [2]int:
		return [2][2]int{{p[0], p[0]}, {p[1], p[1]}}, nil
	case []int:
		if len(p) == 2 {
			return [2][2]int{{p[0], p[0]}, {p[1], p[1]}}, nil
		}
	}
	if n, ok := asInt(v); ok {
		return [2][2]int{{int(n), int(n)}, {int(n), int(n)}}, nil
	}
	return nil, fmt.Errorf("want %s, got %T %v", kindNames[KindPadding], v, v)
}

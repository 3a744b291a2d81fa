package configs

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// LayerSpec is everything configs knows about one Keras layer type, without TensorFlow:
// its Keras class name and default layer name, its arguments with their types, Keras's
// defaults and what values tfrun accepts, the shapes it takes and gives, and whether its
// input is token ids. Each layer type declares one in its own file (layer_<name>.go) and
// registers it in init; the decoder, Validate, the fingerprint and the user guide's layer
// reference all read the registry, never a list of their own. The TensorFlow side of the
// same layer (weights, ops) lives in package builders, which registers a constructor under
// the same Type; a test there builds every registered layer with every accepted argument
// value, so that a config that loads always builds.
type LayerSpec struct {
	// Type is the Keras class name ("Dense"); YAML matches it case-insensitively.
	Type string
	// DefaultName is the name Keras gives an unnamed layer of this type ("dense", then
	// "dense_1", ...); registering derives it from Type as Keras does (to_snake_case)
	// when left empty.
	DefaultName string
	// Doc says what the layer computes, in one phrase (the user guide's reference).
	Doc string
	// Shapes gives its input and output shapes without the batch dimension, in words:
	// "[time, features] → [units]".
	Shapes string
	// Args are Keras's arguments tfrun takes, in Keras's order.
	Args []Arg
	// TakesIDs says the input is integer ids (Embedding); every other layer takes floats.
	TakesIDs bool
	// Recurrent marks a recurrent layer, which Bidirectional can wrap.
	Recurrent bool
	// Merge marks a merge layer (Add, Concatenate, Dot ...): it is called on several
	// tensors, in a functional model (model.inputs), never in a stack. MergeShape gives
	// its output shape for the shapes of the tensors it is called on, MinInputs and
	// MaxInputs (0: any) how many it takes.
	Merge                bool
	MinInputs, MaxInputs int
	MergeShape           func(l *Layer, ins []Shape) (Shape, error)
	// Check checks what a single argument's range cannot (one argument against another,
	// a wrapped layer); nil when there is nothing more. Its error should come from argErr
	// to name the argument.
	Check func(l *Layer) error
	// OutputShape is the output shape for an input of shape in, or an error when the layer
	// cannot take in (from shapeErr or argErr). nil means the shape is unchanged.
	OutputShape func(l *Layer, in Shape) (Shape, error)
	// Example is an input shape the layer takes with its defaults (ids when TakesIDs),
	// for the reference and the tests that build every layer.
	Example Shape
	// Weights are the layer's variables for an input of shape in, with the names and
	// layouts the builder gives them (kernel, recurrent_kernel, bias, ...); nil for a
	// layer without any. The memory estimate (memory.go) reads them.
	Weights func(l *Layer, in Shape) []Tensor
	// Kept are the tensors per example that a training step keeps for the backward pass
	// besides the layer's output (a fused LSTM's gates at every step, a dropout mask);
	// nil for none. The memory estimate reads them.
	Kept func(l *Layer, in, out Shape) []Tensor
}

// Tensor is a tensor a layer holds, for the memory estimate: its name and its dims, a
// product of factors (a constant factor such as an LSTM's 4 gates is one of the dims,
// so no dim is ever computed by an overflowing product).
type Tensor struct {
	Name string
	Dims Shape
	// Frozen marks a variable without gradient or optimizer slots (BatchNormalization's
	// moving statistics).
	Frozen bool
}

// ArgKind is the type of a layer argument's value.
type ArgKind int

// The argument kinds and the Go types of their values in a Layer.
const (
	KindInt         ArgKind = iota + 1 // int
	KindFloat                          // float64; YAML may give an integer
	KindBool                           // bool
	KindString                         // string, one of Arg.Choices
	KindPair                           // [2]int; YAML gives one integer for both or [height, width]
	KindInts                           // []int, a YAML list of integers
	KindLayer                          // *Layer, a nested layer: a mapping with type
	KindRegularizer                    // Regularizer; YAML gives a name (l2) or a mapping ({l2: 1e-4})
	KindPadding                        // [2][2]int, ((top, bottom), (left, right)); YAML gives n, [h, w] or [[top, bottom], [left, right]]
)

var kindNames = map[ArgKind]string{KindInt: "an integer", KindFloat: "a number", KindBool: "true or false",
	KindString: "a string", KindPair: "an integer or a list [height, width]", KindInts: "a list of integers",
	KindLayer: "a layer (a mapping with type)", KindRegularizer: "a regularizer (l1, l2 or a mapping {l1: …, l2: …})",
	KindPadding: "an integer, a list [height, width] or [[top, bottom], [left, right]]"}

// Bound is the range of a numeric argument.
type Bound int

// The ranges.
const (
	Unbounded   Bound = iota
	Positive          // > 0 (each entry of a pair)
	NonNegative       // >= 0
	Fraction          // in [0, 1)
)

// Arg is one argument of a layer type, spelt as Keras spells it.
type Arg struct {
	// Key is Keras's argument name, the YAML key ("units", "use_bias").
	Key  string
	Kind ArgKind
	// Default is Keras's default, of the kind's Go type; nil when Required, DefaultFrom
	// or Optional.
	Default any
	// Required: the argument has no default and must be given.
	Required bool
	// Optional: Keras's default is None, which tfrun keeps as the argument left unset
	// (YAML may also give null); Layer.Has tells whether it is set. (ReLU's max_value.)
	Optional bool
	// DefaultFrom names another argument whose value is the default (Keras's strides=None
	// meaning pool_size).
	DefaultFrom string
	// Bound is the range of an int, float or pair.
	Bound Bound
	// Choices are the strings a KindString argument takes; IntChoices, when set, the only
	// values a KindInt argument takes, FloatChoices a KindFloat's; Layers the types a
	// KindLayer argument takes.
	Choices      []string
	IntChoices   []int
	FloatChoices []float64
	Layers       []string
	// Samples are values the layer tests try besides the default and the choices, when the
	// bound's own samples (1 and 3 for a positive integer...) do not suit.
	Samples []any
	// Note says why tfrun takes less than Keras does, and goes into the error message.
	Note string
	// NullItems: a KindInts list may hold null (Keras's None), kept as -1 (Dropout's
	// noise_shape).
	NullItems bool
	// Alias is another spelling YAML may use (LeakyReLU's Keras 2 alpha).
	Alias string
	// Doc says what the argument does, in a few words.
	Doc string
	// Later marks an argument added to a layer type after configs were first fingerprinted:
	// at its default it is left out of the fingerprint, so existing checkpoints still fit.
	Later bool
	// Form marks an argument that chooses how the layer is computed, not what (an LSTM's
	// implementation): it is never part of the fingerprint, so a checkpoint resumes
	// whatever it says and an export may change it.
	Form bool
}

// layerRegistry holds the registered layer types by canonical name. It is written only by
// init functions (registerLayer), like image.RegisterFormat's list.
var layerRegistry = map[string]*LayerSpec{}

// registerLayer adds a layer type. A malformed spec is a programming error caught at
// start-up, so it panics.
func registerLayer(s LayerSpec) {
	if s.Type == "" {
		panic("configs: registerLayer: no Type")
	}
	for t := range layerRegistry {
		if strings.EqualFold(t, s.Type) {
			panic("configs: layer type " + s.Type + " registered twice")
		}
	}
	if s.DefaultName == "" {
		s.DefaultName = kerasSnakeCase(s.Type)
	}
	layers := 0
	for _, a := range s.Args {
		if err := a.wellFormed(); err != nil {
			panic(fmt.Sprintf("configs: layer %s: argument %s: %v", s.Type, a.Key, err))
		}
		if a.Kind == KindLayer {
			layers++
		}
	}
	if layers > 1 {
		panic("configs: layer " + s.Type + ": at most one nested layer argument")
	}
	spec := s
	layerRegistry[s.Type] = &spec
}

func (a Arg) wellFormed() error {
	switch {
	case a.Key == "" || a.Key == "type" || a.Key == "name":
		return fmt.Errorf("bad key")
	case a.Kind < KindInt || a.Kind > KindPadding:
		return fmt.Errorf("no kind")
	case (a.Default == nil) == (!a.Required && a.DefaultFrom == "" && !a.Optional),
		a.Required && (a.DefaultFrom != "" || a.Optional), a.DefaultFrom != "" && a.Optional:
		return fmt.Errorf("needs exactly one of Default, Required, DefaultFrom and Optional")
	case a.Kind == KindString && len(a.Choices) == 0:
		return fmt.Errorf("a string argument needs Choices")
	case a.Kind == KindLayer && len(a.Layers) == 0:
		return fmt.Errorf("a layer argument needs Layers")
	}
	if a.Default != nil {
		if _, err := convertArg(a, a.Default); err != nil {
			return fmt.Errorf("default: %v", err)
		}
	}
	return nil
}

// LayerTypes returns the registered layer types in Keras spelling, sorted.
func LayerTypes() []string {
	types := make([]string, 0, len(layerRegistry))
	for t := range layerRegistry {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// LayerSpecs returns every registered layer type's spec, sorted by type. The specs are the
// registry's own: read them, do not change them.
func LayerSpecs() []*LayerSpec {
	var out []*LayerSpec
	for _, t := range LayerTypes() {
		out = append(out, layerRegistry[t])
	}
	return out
}

// LookupLayer returns the spec of a layer type (in Keras spelling).
func LookupLayer(typ string) (*LayerSpec, bool) {
	s, ok := layerRegistry[typ]
	return s, ok
}

// Arg returns the spec's argument named key.
func (s *LayerSpec) Arg(key string) (Arg, bool) {
	for _, a := range s.Args {
		if a.Key == key {
			return a, true
		}
	}
	return Arg{}, false
}

// ArgKeys are the spec's argument names, in its order.
func (s *LayerSpec) ArgKeys() []string {
	keys := make([]string, len(s.Args))
	for i, a := range s.Args {
		keys[i] = a.Key
	}
	return keys
}

// TestValues returns values a test should try for the argument: every choice (or both bools),
// or for a number a few values of its range, always including the default, all
// accepted by Validate on their own (another argument or the input shape may still
// exclude one). A KindLayer argument's samples are its Layers' type names.
func (a Arg) TestValues() []any {
	var out []any
	add := func(v any) {
		for _, o := range out {
			if fmt.Sprint(o) == fmt.Sprint(v) {
				return
			}
		}
		out = append(out, v)
	}
	if a.Default != nil {
		add(a.Default)
	}
	switch a.Kind {
	case KindBool:
		add(true)
		add(false)
	case KindString:
		for _, c := range a.Choices {
			add(c)
		}
	case KindLayer:
		for _, l := range a.Layers {
			add(l)
		}
	case KindRegularizer:
		add(Regularizer{L2: regularizerDefault})
		add(Regularizer{L1: 1e-5, L2: 1e-4})
	case KindInt:
		for _, c := range a.IntChoices {
			add(c)
		}
		if len(a.IntChoices) == 0 && len(a.Samples) == 0 {
			switch a.Bound {
			case Positive:
				add(1)
				add(3)
			case NonNegative:
				add(0)
				add(2)
			}
		}
	case KindFloat:
		for _, c := range a.FloatChoices {
			add(c)
		}
		if len(a.FloatChoices) == 0 && len(a.Samples) == 0 {
			switch a.Bound {
			case Positive:
				add(0.5)
			case NonNegative, Fraction:
				add(0.0)
				add(0.5)
			}
		}
	case KindPair:
		if len(a.Samples) == 0 && a.Bound == Positive {
			add([2]int{1, 1})
			add([2]int{2, 3})
		}
	}
	for _, s := range a.Samples {
		add(s)
	}
	return out
}

// check validates one argument's value against its kind, bound and choices; at is the
// argument's key path.
func (c *checker) arg(at string, a Arg, v any) error {
	note := ""
	if a.Note != "" {
		note = "; " + a.Note
	}
	switch x := v.(type) {
	case Regularizer:
		if err := checkRegularizer(x); err != nil {
			return c.bad(at, "%v", err)
		}
		return nil
	case int:
		if len(a.IntChoices) > 0 && !slices.Contains(a.IntChoices, x) {
			return c.bad(at, "%d: not supported (valid: %s)%s", x, joinInts(a.IntChoices), note)
		}
		if err := c.atMostMaxDim(at, x); err != nil {
			return err
		}
		return c.bound(at, a.Bound, float64(x), fmt.Sprint(x))
	case []int:
		for i, n := range x {
			if err := c.atMostMaxDim(indexPath(at, i), n); err != nil {
				return err
			}
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return c.bad(at, "must be finite, got %g", x)
		}
		if len(a.FloatChoices) > 0 && !slices.Contains(a.FloatChoices, x) {
			return c.bad(at, "%g: not supported (valid: %s)%s", x, joinFloats(a.FloatChoices), note)
		}
		return c.bound(at, a.Bound, x, fmt.Sprint(x))
	case string:
		if !slices.Contains(a.Choices, x) {
			return c.err(at, &kindError{kind: ErrBadValue, msg: fmt.Sprintf("unknown %q (valid: %s)%s", x, strings.Join(a.Choices, ", "), note)})
		}
	case [2][2]int:
		for i, p := range x {
			if a.Bound == NonNegative && (p[0] < 0 || p[1] < 0) {
				return c.bad(indexPath(at, i), "must be >= 0, got [%d, %d]", p[0], p[1])
			}
			if err := c.atMostMaxDim(indexPath(at, i), max(p[0], p[1])); err != nil {
				return err
			}
		}
	case [2]int:
		if a.Bound == Positive && (x[0] <= 0 || x[1] <= 0) {
			return c.bad(at, "must be > 0, got [%d, %d]", x[0], x[1])
		}
		if a.Bound == NonNegative && (x[0] < 0 || x[1] < 0) {
			return c.bad(at, "must be >= 0, got [%d, %d]", x[0], x[1])
		}
		if err := c.atMostMaxDim(at, max(x[0], x[1])); err != nil {
			return err
		}
	case *Layer:
		if x == nil {
			return c.missing(at, "")
		}
		if err := c.notFunctional(at, x); err != nil {
			return err
		}
		if _, known := LookupLayer(x.Type); known && !slices.Contains(a.Layers, x.Type) {
			return c.bad(at+".type", "%q cannot be wrapped here (valid: %s)%s", x.Type, strings.Join(a.Layers, ", "), note)
		}
		return c.layer(at, x)
	}
	return nil
}

func (c *checker) bound(at string, b Bound, x float64, shown string) error {
	switch {
	case b == Positive && !(x > 0):
		return c.bad(at, "must be > 0, got %s", shown)
	case b == NonNegative && !(x >= 0):
		return c.bad(at, "must be >= 0, got %s", shown)
	case b == Fraction && !(x >= 0 && x < 1):
		return c.bad(at, "must be in [0, 1), got %s", shown)
	}
	return nil
}

func joinFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// keras's to_snake_case (keras/src/utils/naming.py), which names unnamed layers.
var (
	snakeNonWord = regexp.MustCompile(`\W+`)
	snakeWord    = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	snakeLower   = regexp.MustCompile(`([a-z])([A-Z])`)
)

// kerasSnakeCase is Keras's to_snake_case: LeakyReLU → leaky_re_lu,
// Conv2DTranspose → conv2d_transpose, SimpleRNN → simple_rnn.
func kerasSnakeCase(name string) string {
	name = snakeNonWord.ReplaceAllString(name, "")
	name = snakeWord.ReplaceAllString(name, "${1}_${2}")
	return strings.ToLower(snakeLower.ReplaceAllString(name, "${1}_${2}"))
}

// argErr is an error of one argument of a layer, for Check and OutputShape: Validate
// reports it at the argument's key path.
func argErr(key, format string, args ...any) error {
	return &layerArgError{key: key, msg: fmt.Sprintf(format, args...)}
}

type layerArgError struct{ key, msg string }

func (e *layerArgError) Error() string { return e.key + ": " + e.msg }

// shapeErr says a layer cannot take an input of shape in; want describes what it takes.
func shapeErr(in Shape, want string) error {
	return fmt.Errorf("input shape %v, want %s", in, want)
}

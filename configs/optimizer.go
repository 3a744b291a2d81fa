package configs

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Optimizer is a Keras optimizer. Type says which; only the fields of that type's
// arguments (its OptimizerSpec) are meaningful, the others are zero. After Load every
// argument is set.
//
// In YAML it is a mapping ({type: AdamW, learning_rate: 1.0e-3, weight_decay: 0.004}) or
// just the type name (adamw), as Keras's compile accepts optimizer="adamw".
type Optimizer struct {
	// Type is one of OptimizerTypes (a Keras class name). Required.
	Type string `mapstructure:"type"`
	// LearningRate: learning_rate of every optimizer, > 0; the default is the type's
	// (OptimizerSpec.LearningRate). With a Schedule, its value at step 0.
	LearningRate float64 `mapstructure:"learning_rate"`
	// Schedule is the learning-rate schedule when YAML's learning_rate is a mapping with
	// type (Keras's learning_rate=keras.optimizers.schedules.X(...)); nil for a constant
	// rate.
	Schedule *Schedule `mapstructure:"-"`
	// Momentum: SGD and RMSprop momentum.
	Momentum float64 `mapstructure:"momentum"`
	// Nesterov: SGD nesterov.
	Nesterov bool `mapstructure:"nesterov"`
	// Rho: RMSprop's and Adadelta's rho, the discount of the moving averages.
	Rho float64 `mapstructure:"rho"`
	// Epsilon: the epsilon of every type but SGD and Lion.
	Epsilon float64 `mapstructure:"epsilon"`
	// Beta1: beta_1 of Adam, AdamW, Adamax, Nadam and Lion.
	Beta1 float64 `mapstructure:"beta_1"`
	// Beta2: beta_2 of Adam, AdamW, Adamax, Nadam and Lion.
	Beta2 float64 `mapstructure:"beta_2"`
	// InitialAccumulatorValue: Adagrad initial_accumulator_value.
	InitialAccumulatorValue float64 `mapstructure:"initial_accumulator_value"`
	// WeightDecay: weight_decay of every type (Keras's base optimizer): before each
	// update, var ← var − var·weight_decay·lr. 0 is none (Keras's None), the default but
	// for AdamW.
	WeightDecay float64 `mapstructure:"weight_decay"`
	// Clipnorm: clipnorm of every type, the L2 norm each variable's gradient is clipped
	// to. 0 is none.
	Clipnorm float64 `mapstructure:"clipnorm"`
	// Clipvalue: clipvalue of every type, the bound each gradient element is clipped to.
	// 0 is none.
	Clipvalue float64 `mapstructure:"clipvalue"`
	// GlobalClipnorm: global_clipnorm of every type, the L2 norm all gradients of an
	// update together are scaled to. 0 is none. At most one of clipnorm, clipvalue and
	// global_clipnorm is set.
	GlobalClipnorm float64 `mapstructure:"global_clipnorm"`
	// SparseEmbeddingGradients: sparse_embedding_gradients of Adam, AdamW and RMSprop
	// (tfrun's; Keras has no such argument, it always does this on TensorFlow): an
	// Embedding's gradient reaches the optimizer one row per occurrence of an id, as
	// Keras's tf.IndexedSlices, so the squares of the update are summed over the
	// occurrences. False (the default): the occurrences are summed first, the dense
	// gradient. Not with clipping.
	SparseEmbeddingGradients bool `mapstructure:"sparse_embedding_gradients"`
}

// OptimizerSpec is everything configs knows about one Keras optimizer type: its class
// name, its default learning rate and its other arguments with Keras's defaults and the
// values tfrun accepts. Each type declares one in its own file (optimizer_<name>.go) and
// registers it in init; the decoder, Validate and NewOptimizer read the registry. The
// TensorFlow side (package graphs, joined to this one by package assemble) registers a
// constructor under the same Type.
type OptimizerSpec struct {
	// Type is the Keras class name ("AdamW"); YAML matches it case-insensitively, so
	// Keras's lower-case string names ("adamw") work too.
	Type string
	// Doc says what the optimizer computes, in one phrase.
	Doc string
	// LearningRate is Keras's default learning_rate.
	LearningRate float64
	// Args are Keras's other arguments tfrun takes, in Keras's order; each Key is the tag
	// of an Optimizer field, of Kind KindFloat (float64) or KindBool (bool). Registering
	// appends the base optimizer's weight_decay, clipnorm, clipvalue and global_clipnorm
	// (0 meaning none) unless the type declares one itself (AdamW's weight_decay).
	Args []Arg
	// Check checks what an argument's bound cannot (Lion's beta_1 in (0, 1]); nil when
	// there is nothing more. Its error should come from argErr to name the argument.
	Check func(o *Optimizer) error
	// Slots is the number of slot variables graphs keeps per trainable weight with these
	// arguments (Adam's m and v: 2), for the memory estimate (Config.EstimateMemory).
	Slots func(o *Optimizer) int
}

// slots is an OptimizerSpec.Slots that does not depend on the arguments.
func slots(n int) func(*Optimizer) int { return func(*Optimizer) int { return n } }

// optimizerRegistry holds the registered optimizer types by Keras class name; only init
// functions (registerOptimizer) write it.
var optimizerRegistry = map[string]*OptimizerSpec{}

// baseOptimizerArgs are the arguments Keras 3's base optimizer gives every optimizer
// (keras/src/optimizers/base_optimizer.py), in its order.
func baseOptimizerArgs() []Arg {
	return []Arg{
		{Key: "weight_decay", Kind: KindFloat, Default: 0.0, Bound: NonNegative, Doc: "decoupled weight decay: var ← var − var·weight_decay·lr before each update; 0 is none"},
		{Key: "clipnorm", Kind: KindFloat, Default: 0.0, Bound: NonNegative, Doc: "clip each variable's gradient to this L2 norm; 0 is none"},
		{Key: "clipvalue", Kind: KindFloat, Default: 0.0, Bound: NonNegative, Doc: "clip each gradient element to [−clipvalue, clipvalue]; 0 is none"},
		{Key: "global_clipnorm", Kind: KindFloat, Default: 0.0, Bound: NonNegative, Doc: "scale all gradients of an update to this global L2 norm; 0 is none"},
	}
}

// registerOptimizer adds an optimizer type. A malformed spec is a programming error
// caught at start-up, so it panics.
func registerOptimizer(s OptimizerSpec) {
	if s.Type == "" || !(s.LearningRate > 0) {
		panic("configs: registerOptimizer: no Type or no default learning rate")
	}
	for t := range optimizerRegistry {
		if strings.EqualFold(t, s.Type) {
			panic("configs: optimizer type " + s.Type + " registered twice")
		}
	}
	spec := s
	spec.Args = append([]Arg(nil), s.Args...)
	for _, b := range baseOptimizerArgs() {
		if _, own := spec.Arg(b.Key); !own {
			spec.Args = append(spec.Args, b)
		}
	}
	ft := reflect.TypeOf(Optimizer{})
	for _, a := range spec.Args {
		if err := a.wellFormed(); err != nil {
			panic(fmt.Sprintf("configs: optimizer %s: argument %s: %v", s.Type, a.Key, err))
		}
		want := map[ArgKind]reflect.Kind{KindFloat: reflect.Float64, KindBool: reflect.Bool}[a.Kind]
		if f := ft.Field(fieldIndex(ft, a.Key)[0]); f.Type.Kind() != want || a.Default == nil {
			panic(fmt.Sprintf("configs: optimizer %s: argument %s: needs a default and a %v field", s.Type, a.Key, want))
		}
	}
	optimizerRegistry[s.Type] = &spec
}

// OptimizerTypes returns the registered optimizer types in Keras spelling, sorted.
func OptimizerTypes() []string {
	types := make([]string, 0, len(optimizerRegistry))
	for t := range optimizerRegistry {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// LookupOptimizer returns the spec of an optimizer type (in Keras spelling).
func LookupOptimizer(typ string) (*OptimizerSpec, bool) {
	s, ok := optimizerRegistry[typ]
	return s, ok
}

// Arg returns the spec's argument named key.
func (s *OptimizerSpec) Arg(key string) (Arg, bool) {
	for _, a := range s.Args {
		if a.Key == key {
			return a, true
		}
	}
	return Arg{}, false
}

// optimizerArgs returns the valid keys of a canonical optimizer type besides type:
// learning_rate, then its Args.
func optimizerArgs(typ string) []string {
	spec, ok := optimizerRegistry[typ]
	if !ok {
		return nil
	}
	keys := []string{"learning_rate"}
	for _, a := range spec.Args {
		keys = append(keys, a.Key)
	}
	return keys
}

// NewOptimizer returns an optimizer of type typ (matched case-insensitively) with Keras's
// defaults.
func NewOptimizer(typ string) (Optimizer, error) {
	canon, ok := canonical(typ, OptimizerTypes())
	if !ok {
		return Optimizer{}, &Error{Key: "type", Err: unknownValue(typ, OptimizerTypes())}
	}
	spec := optimizerRegistry[canon]
	o := Optimizer{Type: canon, LearningRate: spec.LearningRate}
	v := reflect.ValueOf(&o).Elem()
	for _, a := range spec.Args {
		def, _ := convertArg(a, a.Default)
		v.FieldByIndex(fieldIndex(v.Type(), a.Key)).Set(reflect.ValueOf(def))
	}
	return o, nil
}

// mustOptimizer is NewOptimizer for the package's own constants.
func mustOptimizer(typ string) Optimizer {
	o, err := NewOptimizer(typ)
	if err != nil {
		panic(err) // unreachable: typ is one of the Optimizer* constants
	}
	return o
}

// Slots is the number of slot variables the optimizer keeps per trainable weight, as
// graphs builds them (OptimizerSpec.Slots), for the memory estimate.
func (o Optimizer) Slots() int {
	spec, ok := optimizerRegistry[o.Type]
	if !ok || spec.Slots == nil {
		return 0
	}
	return spec.Slots(&o)
}

// Arg returns the value of o's argument key (an Optimizer field's tag): a float64 or a
// bool.
func (o *Optimizer) Arg(key string) any {
	v := reflect.ValueOf(o).Elem()
	return v.FieldByIndex(fieldIndex(v.Type(), key)).Interface()
}

// optimizer checks o; path is its key path, e.g. "train.optimizer".
func (c *checker) optimizer(path string, o *Optimizer) error {
	at := func(key string) string { return join(path, key) }
	spec, ok := optimizerRegistry[o.Type]
	if !ok {
		if canon, known := canonical(o.Type, OptimizerTypes()); known {
			return c.bad(at("type"), "%q: write it as Keras spells it, %q", o.Type, canon)
		}
		return c.err(at("type"), unknownValue(o.Type, OptimizerTypes()))
	}
	var checks []error
	if o.Schedule != nil {
		checks = append(checks, c.schedule(at("learning_rate"), o.Schedule))
	} else {
		checks = append(checks, c.positiveFloat(at("learning_rate"), o.LearningRate))
	}
	for _, a := range spec.Args {
		checks = append(checks, c.arg(at(a.Key), a, o.Arg(a.Key)))
	}
	if err := firstErr(checks); err != nil {
		return err
	}
	var clips []string
	for _, key := range []string{"clipnorm", "clipvalue", "global_clipnorm"} {
		if x := o.Arg(key).(float64); x > 0 {
			clips = append(clips, fmt.Sprintf("%s %g", key, x))
			if len(clips) == 2 {
				return c.bad(at(key), "only one of clipnorm, clipvalue and global_clipnorm can be set (Keras refuses more), got %s",
					strings.Join(clips, " and "))
			}
		}
	}
	if _, has := spec.Arg("sparse_embedding_gradients"); has && o.SparseEmbeddingGradients && len(clips) > 0 {
		return c.bad(at("sparse_embedding_gradients"), "cannot be combined with %s: Keras clips the gradient's occurrences, which tfrun does not (yet)",
			clips[0])
	}
	if spec.Check != nil {
		if err := spec.Check(o); err != nil {
			return c.layerError(path, err)
		}
	}
	return nil
}

// Arguments shared by several optimizer types.

func betaArg(key string, def float64) Arg {
	return Arg{Key: key, Kind: KindFloat, Default: def, Bound: Fraction, Doc: "decay of a moving average"}
}

func epsilonArg() Arg {
	return Arg{Key: "epsilon", Kind: KindFloat, Default: 1e-7, Bound: Positive, Doc: "added to the denominator"}
}

// sparseEmbeddingGradientsArg is the argument of the optimizers that square the
// gradient in their update and have a per-occurrence form (Adam, AdamW, RMSprop).
func sparseEmbeddingGradientsArg() Arg {
	return Arg{Key: "sparse_embedding_gradients", Kind: KindBool, Default: false,
		Doc: "as Keras on TensorFlow: an Embedding's gradient one row per occurrence of an id (tf.IndexedSlices), its squares summed over the occurrences; false sums the occurrences first"}
}

func momentumArg() Arg {
	return Arg{Key: "momentum", Kind: KindFloat, Default: 0.0, Bound: Fraction, Doc: "momentum; 0 is none"}
}

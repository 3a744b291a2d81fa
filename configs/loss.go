package configs

import (
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Losses, named as Keras's loss functions (keras.losses.<name>); a config may also give
// the class name (MeanSquaredError) or Keras's short alias (mse), as keras.losses.get
// takes them.
const (
	LossBinaryCrossentropy            = "binary_crossentropy"
	LossSparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
	LossCategoricalCrossentropy       = "categorical_crossentropy"
	LossBinaryFocalCrossentropy       = "binary_focal_crossentropy"
	LossMeanSquaredError              = "mean_squared_error"
	LossMeanAbsoluteError             = "mean_absolute_error"
	LossMeanAbsolutePercentageError   = "mean_absolute_percentage_error"
	LossMeanSquaredLogarithmicError   = "mean_squared_logarithmic_error"
	LossHuber                         = "huber"
	LossLogCosh                       = "log_cosh"
	LossKLDivergence                  = "kl_divergence"
	LossPoisson                       = "poisson"
	LossHinge                         = "hinge"
	LossSquaredHinge                  = "squared_hinge"
	LossCosineSimilarity              = "cosine_similarity"
)

// Keras's loss defaults, from keras/src/losses/losses.py.
const (
	defaultHuberDelta = 1.0  // Huber(delta=1.0)
	defaultFocalAlpha = 0.25 // BinaryFocalCrossentropy(alpha=0.25)
	defaultFocalGamma = 2.0  // BinaryFocalCrossentropy(gamma=2.0)
)

// LabelKind is what a loss expects as y_true, which decides how the data's labels reach
// it and which metrics make sense.
type LabelKind int

const (
	// LabelsBinary: 0/1 labels shaped like the output (binary_crossentropy, hinge, ...).
	LabelsBinary LabelKind = iota + 1
	// LabelsSparse: integer class ids, one per example (sparse_categorical_crossentropy).
	LabelsSparse
	// LabelsOneHot: one probability per class (categorical_crossentropy, kl_divergence);
	// tfrun one-hot encodes the class ids, as keras.utils.to_categorical would.
	LabelsOneHot
	// LabelsReal: real-valued targets shaped like the output (regression losses).
	LabelsReal
)

// LossSpec is a loss type: its Keras function name, class name and aliases, its arguments
// (YAML keys besides type) and the labels it takes.
type LossSpec struct {
	Name    string   // the function name, the canonical spelling: mean_squared_error
	Class   string   // the class name: MeanSquaredError
	Aliases []string // keras.losses.get's short names: mse
	Args    []string // the class's arguments tfrun takes, in Keras's order
	Labels  LabelKind
}

// lossSpecs are the loss types, in the order error messages list them.
var lossSpecs = []LossSpec{
	{LossMeanSquaredError, "MeanSquaredError", []string{"mse"}, nil, LabelsReal},
	{LossMeanAbsoluteError, "MeanAbsoluteError", []string{"mae"}, nil, LabelsReal},
	{LossMeanAbsolutePercentageError, "MeanAbsolutePercentageError", []string{"mape"}, nil, LabelsReal},
	{LossMeanSquaredLogarithmicError, "MeanSquaredLogarithmicError", []string{"msle"}, nil, LabelsReal},
	{LossHuber, "Huber", nil, []string{"delta"}, LabelsReal},
	{LossLogCosh, "LogCosh", nil, nil, LabelsReal},
	{LossPoisson, "Poisson", nil, nil, LabelsReal},
	{LossCosineSimilarity, "CosineSimilarity", nil, nil, LabelsReal},
	{LossBinaryCrossentropy, "BinaryCrossentropy", []string{"bce"}, []string{"from_logits", "label_smoothing"}, LabelsBinary},
	{LossBinaryFocalCrossentropy, "BinaryFocalCrossentropy", nil,
		[]string{"apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing"}, LabelsBinary},
	{LossHinge, "Hinge", nil, nil, LabelsBinary},
	{LossSquaredHinge, "SquaredHinge", nil, nil, LabelsBinary},
	{LossCategoricalCrossentropy, "CategoricalCrossentropy", nil, []string{"from_logits", "label_smoothing"}, LabelsOneHot},
	{LossKLDivergence, "KLDivergence", []string{"kld"}, nil, LabelsOneHot},
	{LossSparseCategoricalCrossentropy, "SparseCategoricalCrossentropy", nil, []string{"from_logits"}, LabelsSparse},
}

// Loss is Model.compile's loss: a Keras loss type and its arguments (only those of its
// type are meaningful, the others are zero). After Load every argument of the type is
// set, Keras's defaults included.
//
// In YAML it is a name (loss: mse, loss: MeanSquaredError) or a mapping with type
// ({type: Huber, delta: 2.0}), as keras.losses.get takes a name or a class config.
type Loss struct {
	// Type is the loss's function name (a Loss* constant). Required.
	Type string `mapstructure:"type"`
	// FromLogits: binary_crossentropy, binary_focal_crossentropy, categorical_ and
	// sparse_categorical_crossentropy from_logits: the model outputs logits (a final
	// linear layer). Default false. With a final sigmoid or softmax Keras uses its
	// logits either way.
	FromLogits bool `mapstructure:"from_logits"`
	// LabelSmoothing: the crossentropies' label_smoothing, in [0, 1]. Default 0.
	LabelSmoothing float64 `mapstructure:"label_smoothing"`
	// Delta: Huber's delta, where the loss turns from quadratic to linear. Default 1, > 0.
	Delta float64 `mapstructure:"delta"`
	// ApplyClassBalancing: binary_focal_crossentropy's apply_class_balancing. Default false.
	ApplyClassBalancing bool `mapstructure:"apply_class_balancing"`
	// Alpha: binary_focal_crossentropy's alpha, the weight of class 1 when balancing.
	// Default 0.25, in [0, 1].
	Alpha float64 `mapstructure:"alpha"`
	// Gamma: binary_focal_crossentropy's focusing gamma. Default 2, >= 0.
	Gamma float64 `mapstructure:"gamma"`
}

// String is the loss's type, as messages name it.
func (l Loss) String() string { return l.Type }

// Spec returns the loss's type (nil for an unknown one).
func (l Loss) Spec() *LossSpec { return LookupLoss(l.Type) }

// Labels returns the labels the loss takes (0 for an unknown type).
func (l Loss) Labels() LabelKind {
	if s := l.Spec(); s != nil {
		return s.Labels
	}
	return 0
}

// Regression reports whether the loss takes real-valued targets.
func (l Loss) Regression() bool { return l.Labels() == LabelsReal }

// LookupLoss returns the loss type a name means: its function name, class name or alias,
// matched case-insensitively; nil if none.
func LookupLoss(name string) *LossSpec {
	customMu.RLock()
	defer customMu.RUnlock()
	return lookupLoss(name)
}

// lookupLoss is LookupLoss, built-in losses first; the caller holds customMu.
func lookupLoss(name string) *LossSpec {
	for i, s := range lossSpecs {
		if strings.EqualFold(name, s.Name) || strings.EqualFold(name, s.Class) ||
			slices.ContainsFunc(s.Aliases, func(a string) bool { return strings.EqualFold(name, a) }) {
			return &lossSpecs[i]
		}
	}
	return lookupCustomLoss(name)
}

// LossTypes returns the loss function names, in the registry's order (regression,
// binary, categorical), then the custom losses registered (RegisterLoss).
func LossTypes() []string {
	out := make([]string, len(lossSpecs))
	for i, s := range lossSpecs {
		out[i] = s.Name
	}
	return append(out, customLossNames()...)
}

// NewLoss returns the loss a name means (see LookupLoss) with Keras's defaults.
func NewLoss(name string) (Loss, error) {
	s := LookupLoss(name)
	if s == nil {
		return Loss{}, &Error{Key: "type", Err: unknownValue(name, LossTypes())}
	}
	l := Loss{Type: s.Name}
	switch s.Name {
	case LossHuber:
		l.Delta = defaultHuberDelta
	case LossBinaryFocalCrossentropy:
		l.Alpha, l.Gamma = defaultFocalAlpha, defaultFocalGamma
	}
	return l, nil
}

// mustLoss is NewLoss for the package's own constants.
func mustLoss(name string) Loss {
	l, err := NewLoss(name)
	if err != nil {
		panic(err) // unreachable: name is a Loss* constant
	}
	return l
}

// loss decodes a loss: a name, or a mapping with type and the type's arguments.
func (d *decoder) loss(path string, raw any, l *Loss) error {
	if name, ok := raw.(string); ok {
		nl, err := NewLoss(name)
		if err != nil {
			return d.err(path, unknownValue(name, LossTypes()))
		}
		*l = nl
		return nil
	}
	m, err := d.mapping(path, raw, " with type, e.g. {type: Huber, delta: 2.0}, or a name, e.g. mse")
	if err != nil {
		return err
	}
	rt, ok := m["type"]
	if !ok {
		return d.missing(join(path, "type"), " (valid: "+strings.Join(LossTypes(), ", ")+")")
	}
	typ, ok := rt.(string)
	if !ok {
		return d.wrongType(join(path, "type"), "a string", rt)
	}
	nl, err := NewLoss(typ)
	if err != nil {
		return d.err(join(path, "type"), unknownValue(typ, LossTypes()))
	}
	*l = nl
	args := LookupLoss(typ).Args
	return d.args(path, maps.Clone(m), l.Type, args, reflect.ValueOf(l).Elem())
}

// loss checks a loss's arguments; path is its key path, "train.loss".
func (c *checker) loss(path string, l *Loss) error {
	s := l.Spec()
	if s == nil || s.Name != l.Type {
		return c.err(path, unknownValue(l.Type, LossTypes()))
	}
	at := func(key string) string { return path + "." + key }
	var checks []error
	for _, a := range s.Args {
		switch a {
		case "label_smoothing":
			checks = append(checks, c.closedUnit(at(a), l.LabelSmoothing))
		case "delta":
			checks = append(checks, c.positiveFloat(at(a), l.Delta))
		case "alpha":
			checks = append(checks, c.closedUnit(at(a), l.Alpha))
		case "gamma":
			checks = append(checks, c.nonNegativeFloat(at(a), l.Gamma))
		}
	}
	return firstErr(checks)
}

// closedUnit checks f is in [0, 1].
func (c *checker) closedUnit(key string, f float64) error {
	if !(f >= 0 && f <= 1) {
		return c.bad(key, "must be in [0, 1], got %g", f)
	}
	return nil
}

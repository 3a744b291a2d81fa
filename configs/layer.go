package configs

import "strings"

// Layer types: Keras class names. YAML matches them case-insensitively; a loaded Layer
// always holds this spelling. Shapes leave out the leading batch dimension; images are
// channels-last, as Keras's default.
const (
	LayerActivation         = "Activation"         // any shape → the same
	LayerBatchNormalization = "BatchNormalization" // [..., features] → the same, normalised over the last axis
	LayerConcatenate        = "Concatenate"        // two inputs → one, joined along Axis
	LayerConv1D             = "Conv1D"             // [time, channels] → [time', filters]
	LayerConv2D             = "Conv2D"             // [height, width, channels] → [height', width', filters]
	LayerConv2DTranspose    = "Conv2DTranspose"    // [height, width, channels] → [height', width', filters], upsampled by strides
	LayerDense              = "Dense"              // [..., features] → [..., units]
	LayerDropout            = "Dropout"            // any shape → the same
	LayerEmbedding          = "Embedding"          // [time] of ints in [0, input_dim) → [time, output_dim]
	LayerFlatten            = "Flatten"            // [d1, d2, ...] → [d1*d2*...]
	LayerGlobalMaxPooling1D = "GlobalMaxPooling1D" // [time, channels] → [channels]
	LayerLSTM               = "LSTM"               // [time, features] → [units], or [time, units] with return_sequences
	LayerLeakyReLU          = "LeakyReLU"          // any shape → the same
	LayerMaxPooling1D       = "MaxPooling1D"       // [time, channels] → [time', channels]
	LayerReshape            = "Reshape"            // any shape → target_shape
)

// Activation names, as Keras's activation strings. leaky_relu is
// keras.activations.leaky_relu with its default negative_slope 0.2.
const (
	ActivationLeakyReLU = "leaky_relu"
	ActivationLinear    = "linear"
	ActivationReLU      = "relu"
	ActivationSigmoid   = "sigmoid"
	ActivationSoftmax   = "softmax"
	ActivationTanh      = "tanh"
)

// Initializer names, as Keras's initializer strings (Keras's defaults for each).
const (
	InitializerGlorotNormal  = "glorot_normal"
	InitializerGlorotUniform = "glorot_uniform"
	InitializerHeNormal      = "he_normal"
	InitializerHeUniform     = "he_uniform"
	InitializerOnes          = "ones"
	InitializerRandomNormal  = "random_normal"  // mean 0, stddev 0.05
	InitializerRandomUniform = "random_uniform" // [-0.05, 0.05)
	InitializerZeros         = "zeros"
)

// Paddings, as Keras's padding strings.
const (
	PaddingValid  = "valid"
	PaddingSame   = "same"
	PaddingCausal = "causal" // Conv1D only
)

// Keras's layer defaults, from keras/src/layers.
const (
	defaultDenseActivation         = ActivationLinear // activation=None
	defaultLSTMActivation          = ActivationTanh
	defaultLSTMRecurrentActivation = ActivationSigmoid
	defaultUseBias                 = true
	defaultUnitForgetBias          = true
	defaultKernelInitializer       = InitializerGlorotUniform
	defaultBiasInitializer         = InitializerZeros
	defaultStrides                 = 1
	defaultPadding                 = PaddingValid
	defaultPoolSize                = 2
	defaultBNMomentum              = 0.99
	defaultBNEpsilon               = 1e-3
	defaultBNCenter                = true
	defaultBNScale                 = true
	defaultNegativeSlope           = 0.3 // keras.layers.LeakyReLU; Keras 2 called it alpha
	defaultConcatenateAxis         = -1
)

// Layer is one Keras layer. Type says which; only the fields of that type's arguments are
// meaningful (each field's comment lists the types that take it), the others are zero.
// After Load every argument is set, to the YAML's value or Keras's default.
type Layer struct {
	// Type is the Keras class name, one of the Layer* constants. Required.
	Type string `mapstructure:"type"`
	// Name is the layer's name (Keras name=), which prefixes its variables. Default ""
	// (the builder names it as Keras would: dense, dense_1, ...).
	Name string `mapstructure:"name"`

	// InputDim: Embedding input_dim, the vocabulary size (indices are < InputDim).
	// Required, > 0.
	InputDim int `mapstructure:"input_dim"`
	// OutputDim: Embedding output_dim, the embedding width. Required, > 0.
	OutputDim int `mapstructure:"output_dim"`

	// Units: Dense and LSTM units. Required, > 0.
	Units int `mapstructure:"units"`
	// Activation: Dense, LSTM, Conv1D, Conv2D, Conv2DTranspose and Activation activation,
	// one of the Activation* constants. Default linear (Keras's None); LSTM tanh;
	// required for Activation.
	Activation string `mapstructure:"activation"`
	// UseBias: Dense, LSTM, Conv1D, Conv2D, Conv2DTranspose use_bias. Default true.
	UseBias bool `mapstructure:"use_bias"`
	// KernelInitializer: Dense kernel_initializer. Default glorot_uniform.
	KernelInitializer string `mapstructure:"kernel_initializer"`
	// BiasInitializer: Dense bias_initializer. Default zeros.
	BiasInitializer string `mapstructure:"bias_initializer"`

	// RecurrentActivation: LSTM recurrent_activation. Default sigmoid.
	RecurrentActivation string `mapstructure:"recurrent_activation"`
	// UnitForgetBias: LSTM unit_forget_bias, add 1 to the forget gate's initial bias.
	// Default true.
	UnitForgetBias bool `mapstructure:"unit_forget_bias"`
	// Dropout: LSTM dropout, the fraction of input units dropped. Default 0, in [0, 1).
	Dropout float64 `mapstructure:"dropout"`
	// RecurrentDropout: LSTM recurrent_dropout. Default 0, in [0, 1).
	RecurrentDropout float64 `mapstructure:"recurrent_dropout"`
	// ReturnSequences: LSTM return_sequences, output [time, units] instead of [units].
	// Default false.
	ReturnSequences bool `mapstructure:"return_sequences"`

	// Rate: Dropout rate, the fraction of inputs dropped while training. Required, in
	// [0, 1).
	Rate float64 `mapstructure:"rate"`

	// Filters: Conv1D, Conv2D, Conv2DTranspose filters. Required, > 0.
	Filters int `mapstructure:"filters"`
	// KernelSize: Conv1D kernel_size. Required, > 0. (2-D layers: KernelSize2D.)
	KernelSize int `mapstructure:"kernel_size"`
	// Strides: Conv1D strides (default 1) and MaxPooling1D strides (default PoolSize).
	// > 0. (2-D layers: Strides2D.)
	Strides int `mapstructure:"strides"`
	// KernelSize2D: Conv2D and Conv2DTranspose kernel_size as [height, width]; the YAML
	// may give one int for both. Required, each > 0.
	KernelSize2D [2]int `mapstructure:"-"`
	// Strides2D: Conv2D and Conv2DTranspose strides as [height, width]; the YAML may give
	// one int for both. Default [1, 1], each > 0.
	Strides2D [2]int `mapstructure:"-"`
	// Padding: Conv1D (valid, same, causal), MaxPooling1D, Conv2D and Conv2DTranspose
	// (valid, same) padding. Default valid.
	Padding string `mapstructure:"padding"`
	// PoolSize: MaxPooling1D pool_size. Default 2, > 0.
	PoolSize int `mapstructure:"pool_size"`

	// Momentum: BatchNormalization momentum of the moving mean and variance. Default
	// 0.99, in [0, 1).
	Momentum float64 `mapstructure:"momentum"`
	// Epsilon: BatchNormalization epsilon added to the variance. Default 0.001, > 0.
	Epsilon float64 `mapstructure:"epsilon"`
	// Center: BatchNormalization center, learn an offset beta. Default true.
	Center bool `mapstructure:"center"`
	// Scale: BatchNormalization scale, learn a factor gamma. Default true.
	Scale bool `mapstructure:"scale"`

	// NegativeSlope: LeakyReLU negative_slope (Keras 3; Keras 2's alpha is accepted as an
	// alias). Default 0.3, >= 0.
	NegativeSlope float64 `mapstructure:"negative_slope"`

	// TargetShape: Reshape target_shape, without the batch dimension; at most one entry
	// may be -1 (inferred). Required, non-empty.
	TargetShape []int `mapstructure:"target_shape"`

	// Axis: Concatenate axis. Default -1.
	Axis int `mapstructure:"axis"`
}

// layerSpec describes one layer type's YAML arguments.
type layerSpec struct {
	args     []string // valid keys besides type and name
	required []string // keys that must be given
	twoD     bool     // kernel_size and strides are [height, width]
}

// layerSpecOf returns the spec of a canonical layer type.
func layerSpecOf(typ string) (layerSpec, bool) {
	conv2D := layerSpec{
		args:     []string{"filters", "kernel_size", "strides", "padding", "activation", "use_bias"},
		required: []string{"filters", "kernel_size"},
		twoD:     true,
	}
	switch typ {
	case LayerActivation:
		return layerSpec{args: []string{"activation"}, required: []string{"activation"}}, true
	case LayerBatchNormalization:
		return layerSpec{args: []string{"momentum", "epsilon", "center", "scale"}}, true
	case LayerConcatenate:
		return layerSpec{args: []string{"axis"}}, true
	case LayerConv1D:
		return layerSpec{
			args:     []string{"filters", "kernel_size", "strides", "padding", "activation", "use_bias"},
			required: []string{"filters", "kernel_size"},
		}, true
	case LayerConv2D, LayerConv2DTranspose:
		return conv2D, true
	case LayerDense:
		return layerSpec{
			args:     []string{"units", "activation", "use_bias", "kernel_initializer", "bias_initializer"},
			required: []string{"units"},
		}, true
	case LayerDropout:
		return layerSpec{args: []string{"rate"}, required: []string{"rate"}}, true
	case LayerEmbedding:
		return layerSpec{args: []string{"input_dim", "output_dim"}, required: []string{"input_dim", "output_dim"}}, true
	case LayerFlatten, LayerGlobalMaxPooling1D:
		return layerSpec{}, true
	case LayerLSTM:
		return layerSpec{
			args: []string{"units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
				"dropout", "recurrent_dropout", "return_sequences"},
			required: []string{"units"},
		}, true
	case LayerLeakyReLU:
		return layerSpec{args: []string{"negative_slope"}}, true
	case LayerMaxPooling1D:
		return layerSpec{args: []string{"pool_size", "strides", "padding"}}, true
	case LayerReshape:
		return layerSpec{args: []string{"target_shape"}, required: []string{"target_shape"}}, true
	}
	return layerSpec{}, false
}

// LayerTypes returns the known layer types in Keras spelling, sorted.
func LayerTypes() []string {
	return []string{
		LayerActivation, LayerBatchNormalization, LayerConcatenate, LayerConv1D, LayerConv2D,
		LayerConv2DTranspose, LayerDense, LayerDropout, LayerEmbedding, LayerFlatten,
		LayerGlobalMaxPooling1D, LayerLSTM, LayerLeakyReLU, LayerMaxPooling1D, LayerReshape,
	}
}

// canonicalLayerType returns typ in Keras spelling, matching case-insensitively.
func canonicalLayerType(typ string) (string, bool) {
	return canonical(typ, LayerTypes())
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

// NewLayer returns a layer of type typ (matched case-insensitively) with Keras's defaults;
// its required arguments are left zero.
func NewLayer(typ string) (Layer, error) {
	canon, ok := canonicalLayerType(typ)
	if !ok {
		return Layer{}, &Error{Key: "type", Err: unknownValue(typ, LayerTypes())}
	}
	l := Layer{Type: canon}
	l.setDefaults()
	return l, nil
}

// setDefaults sets Keras's defaults for l.Type's arguments. MaxPooling1D's strides
// default to pool_size, so the decoder sets them after the YAML's pool_size.
func (l *Layer) setDefaults() {
	switch l.Type {
	case LayerBatchNormalization:
		l.Momentum, l.Epsilon = defaultBNMomentum, defaultBNEpsilon
		l.Center, l.Scale = defaultBNCenter, defaultBNScale
	case LayerConcatenate:
		l.Axis = defaultConcatenateAxis
	case LayerConv1D:
		l.Strides, l.Padding = defaultStrides, defaultPadding
		l.Activation, l.UseBias = defaultDenseActivation, defaultUseBias
	case LayerConv2D, LayerConv2DTranspose:
		l.Strides2D, l.Padding = [2]int{defaultStrides, defaultStrides}, defaultPadding
		l.Activation, l.UseBias = defaultDenseActivation, defaultUseBias
	case LayerDense:
		l.Activation, l.UseBias = defaultDenseActivation, defaultUseBias
		l.KernelInitializer, l.BiasInitializer = defaultKernelInitializer, defaultBiasInitializer
	case LayerLSTM:
		l.Activation, l.RecurrentActivation = defaultLSTMActivation, defaultLSTMRecurrentActivation
		l.UseBias, l.UnitForgetBias = defaultUseBias, defaultUnitForgetBias
	case LayerLeakyReLU:
		l.NegativeSlope = defaultNegativeSlope
	case LayerMaxPooling1D:
		l.PoolSize, l.Strides, l.Padding = defaultPoolSize, defaultPoolSize, defaultPadding
	}
}

// activations returns the known activation names, sorted.
func activations() []string {
	return []string{ActivationLeakyReLU, ActivationLinear, ActivationReLU, ActivationSigmoid,
		ActivationSoftmax, ActivationTanh}
}

// initializers returns the known initializer names, sorted.
func initializers() []string {
	return []string{InitializerGlorotNormal, InitializerGlorotUniform, InitializerHeNormal,
		InitializerHeUniform, InitializerOnes, InitializerRandomNormal, InitializerRandomUniform,
		InitializerZeros}
}

// layer checks l's arguments; path is the layer's key path, e.g. "model.layers[2]".
func (c *checker) layer(path string, l *Layer) error {
	if _, ok := layerSpecOf(l.Type); !ok {
		if canon, ok := canonicalLayerType(l.Type); ok {
			return c.bad(path+".type", "%q: write it as Keras spells it, %q", l.Type, canon)
		}
		return c.err(path+".type", unknownValue(l.Type, LayerTypes()))
	}
	if strings.Contains(l.Name, "/") {
		return c.bad(path+".name", "%q: must not contain \"/\" (it separates variable scopes)", l.Name)
	}
	at := func(key string) string { return path + "." + key }
	var checks []error
	switch l.Type {
	case LayerActivation:
		checks = append(checks, c.oneOf(at("activation"), l.Activation, activations()))
	case LayerBatchNormalization:
		checks = append(checks, c.unitInterval(at("momentum"), l.Momentum),
			c.positiveFloat(at("epsilon"), l.Epsilon))
	case LayerConcatenate:
		if l.Axis == 0 {
			checks = append(checks, c.bad(at("axis"), "0 is the batch axis; use -1 (the default) or a feature axis"))
		}
	case LayerConv1D:
		checks = append(checks, c.positive(at("filters"), l.Filters),
			c.positive(at("kernel_size"), l.KernelSize), c.positive(at("strides"), l.Strides),
			c.oneOf(at("padding"), l.Padding, []string{PaddingCausal, PaddingSame, PaddingValid}),
			c.oneOf(at("activation"), l.Activation, activations()))
	case LayerConv2D, LayerConv2DTranspose:
		checks = append(checks, c.positive(at("filters"), l.Filters),
			c.positivePair(at("kernel_size"), l.KernelSize2D), c.positivePair(at("strides"), l.Strides2D),
			c.oneOf(at("padding"), l.Padding, []string{PaddingSame, PaddingValid}),
			c.oneOf(at("activation"), l.Activation, activations()))
	case LayerDense:
		checks = append(checks, c.positive(at("units"), l.Units),
			c.oneOf(at("activation"), l.Activation, activations()),
			c.oneOf(at("kernel_initializer"), l.KernelInitializer, initializers()),
			c.oneOf(at("bias_initializer"), l.BiasInitializer, initializers()))
	case LayerDropout:
		checks = append(checks, c.unitInterval(at("rate"), l.Rate))
	case LayerEmbedding:
		checks = append(checks, c.positive(at("input_dim"), l.InputDim), c.positive(at("output_dim"), l.OutputDim))
	case LayerLSTM:
		checks = append(checks, c.positive(at("units"), l.Units),
			c.oneOf(at("activation"), l.Activation, activations()),
			c.oneOf(at("recurrent_activation"), l.RecurrentActivation, activations()),
			c.unitInterval(at("dropout"), l.Dropout), c.unitInterval(at("recurrent_dropout"), l.RecurrentDropout))
	case LayerLeakyReLU:
		if l.NegativeSlope < 0 {
			checks = append(checks, c.bad(at("negative_slope"), "must be >= 0, got %g", l.NegativeSlope))
		}
	case LayerMaxPooling1D:
		checks = append(checks, c.positive(at("pool_size"), l.PoolSize), c.positive(at("strides"), l.Strides),
			c.oneOf(at("padding"), l.Padding, []string{PaddingSame, PaddingValid}))
	case LayerReshape:
		checks = append(checks, c.targetShape(at("target_shape"), l.TargetShape))
	}
	return firstErr(checks)
}

// layers checks a non-empty list of layers: each layer, unique names, and Concatenate
// exactly where it belongs: first if concatenateFirst (a conditional GAN network's layers),
// nowhere otherwise.
func (c *checker) layers(path string, ls []Layer, concatenateFirst bool) error {
	if len(ls) == 0 {
		return c.bad(path, "no layers; give at least one")
	}
	names := map[string]int{}
	for i := range ls {
		p := indexPath(path, i)
		if err := c.layer(p, &ls[i]); err != nil {
			return err
		}
		if n := ls[i].Name; n != "" {
			if j, dup := names[n]; dup {
				return c.bad(p+".name", "%q already names %s", n, indexPath(path, j))
			}
			names[n] = i
		}
		isConcat := ls[i].Type == LayerConcatenate
		switch {
		case concatenateFirst && i == 0 && !isConcat:
			return c.bad(p+".type", "%q: a conditional GAN network's layers start with Concatenate, joining label_branch and input_branch", ls[i].Type)
		case isConcat && !(concatenateFirst && i == 0):
			return c.bad(p+".type", "Concatenate joins a conditional GAN network's label_branch and input_branch, so it can only be the first of that network's layers; a Sequential stack has one input")
		}
	}
	return nil
}

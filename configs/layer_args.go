package configs

// Arguments several layer types share, with Keras's defaults (keras/src/layers).

func unitsArg(doc string) Arg {
	return Arg{Key: "units", Kind: KindInt, Required: true, Bound: Positive, Doc: doc}
}

func activationArg(def string) Arg {
	return Arg{Key: "activation", Kind: KindString, Default: def, Choices: Activations(), Doc: "applied to the output"}
}

func useBiasArg() Arg {
	return Arg{Key: "use_bias", Kind: KindBool, Default: true, Doc: "add a learnt bias"}
}

func filtersArg() Arg {
	return Arg{Key: "filters", Kind: KindInt, Required: true, Bound: Positive, Doc: "output channels"}
}

func paddingArg(choices ...string) Arg {
	return Arg{Key: "padding", Kind: KindString, Default: PaddingValid, Choices: choices,
		Doc: "valid: no padding; same: output length ⌈input/strides⌉"}
}

func rateArg(doc string) Arg {
	return Arg{Key: "rate", Kind: KindFloat, Required: true, Bound: Fraction, Doc: doc}
}

func keepdimsArg(later bool) Arg {
	return Arg{Key: "keepdims", Kind: KindBool, Default: false, Doc: "keep the pooled axes, of length 1", Later: later}
}

func returnSequencesArg() Arg {
	return Arg{Key: "return_sequences", Kind: KindBool, Default: false, Doc: "output every step, [time, units], not only the last"}
}

func goBackwardsArg() Arg {
	return Arg{Key: "go_backwards", Kind: KindBool, Default: false, Doc: "read the sequence from its end (and return it reversed)"}
}

// rnnDropoutArgs are a recurrent layer's dropout and recurrent_dropout.
func rnnDropoutArgs() []Arg {
	return []Arg{
		{Key: "dropout", Kind: KindFloat, Default: 0.0, Bound: Fraction,
			Doc: "fraction of the input features dropped in training, the same ones at every step"},
		{Key: "recurrent_dropout", Kind: KindFloat, Default: 0.0, Bound: Fraction, FloatChoices: []float64{0},
			Note: "recurrent dropout is not implemented (Keras too drops it from its fast path); use dropout, or Dropout/SpatialDropout1D layers",
			Doc:  "fraction of the recurrent state dropped"},
	}
}

// rnnShape is a recurrent layer's output shape: [time, features] → [units], or
// [time, units] with return_sequences.
func rnnShape(l *Layer, in Shape) (Shape, error) {
	if len(in) != 2 || in[0] <= 0 {
		return nil, shapeErr(in, "(None, timesteps, features) with a fixed number of timesteps")
	}
	if l.Bool("return_sequences") {
		return Shape{in[0], l.Int("units")}, nil
	}
	return Shape{l.Int("units")}, nil
}

// rnnWeights are the variables of a recurrent layer with gates gates: kernel
// [features, gates·units], recurrent_kernel [units, gates·units] and bias [gates·units].
func rnnWeights(gates int) func(l *Layer, in Shape) []Tensor {
	return func(l *Layer, in Shape) []Tensor {
		u := l.Int("units")
		w := []Tensor{
			{Name: "kernel", Dims: gateDims(in[len(in)-1], gates, u)},
			{Name: "recurrent_kernel", Dims: gateDims(u, gates, u)},
		}
		if l.Bool("use_bias") {
			w = append(w, Tensor{Name: "bias", Dims: gateDims(1, gates, u)})
		}
		return w
	}
}

// gateDims is [rows, gates·units], as factors (a gates of 1 left out).
func gateDims(rows, gates, units int) Shape {
	dims := Shape{}
	if rows != 1 {
		dims = append(dims, rows)
	}
	if gates != 1 {
		dims = append(dims, gates)
	}
	return append(dims, units)
}

// rnnKept is what a recurrent layer keeps for its gradient: perStep values of units at
// every step, and its input.
func rnnKept(perStep int) func(l *Layer, in, out Shape) []Tensor {
	return func(l *Layer, in, out Shape) []Tensor {
		return []Tensor{
			{Name: "states", Dims: Shape{perStep, in[0], l.Int("units")}},
			{Name: "input", Dims: in},
		}
	}
}

// withBias adds a bias of n values to weights when the layer has use_bias.
func withBias(l *Layer, n int, weights ...Tensor) []Tensor {
	if l.Bool("use_bias") {
		weights = append(weights, Tensor{Name: "bias", Dims: Shape{n}})
	}
	return weights
}

// globalPoolShape is a global pooling layer's output: the channels, after as many ones as
// pooled axes with keepdims; rank is the input's rank.
func globalPoolShape(l *Layer, in Shape, rank int, want string) (Shape, error) {
	if len(in) != rank || in[0] <= 0 {
		return nil, shapeErr(in, want)
	}
	out := Shape{}
	if l.Bool("keepdims") {
		for range in[:len(in)-1] {
			out = append(out, 1)
		}
	}
	return append(out, in[len(in)-1]), nil
}

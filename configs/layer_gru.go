package configs

// LayerGRU is Keras's GRU.
const LayerGRU = "GRU"

func init() {
	args := []Arg{
		unitsArg("state size"),
		{Key: "activation", Kind: KindString, Default: ActivationTanh, Choices: Activations(), Doc: "of the candidate state"},
		{Key: "recurrent_activation", Kind: KindString, Default: ActivationSigmoid, Choices: Activations(), Doc: "of the gates"},
		useBiasArg(),
	}
	args = append(args, rnnDropoutArgs()...)
	args = append(args, returnSequencesArg(), goBackwardsArg(),
		Arg{Key: "reset_after", Kind: KindBool, Default: true, Doc: "apply the reset gate after the recurrent matrix product (Keras's default, cuDNN's form)"})
	registerLayer(LayerSpec{
		Type:        LayerGRU,
		Doc:         "gated recurrent unit (Cho et al. 2014), gates z, r, h",
		Shapes:      "[time, features] → [units] ([time, units] with return_sequences)",
		Recurrent:   true,
		Args:        args,
		OutputShape: rnnShape,
		Example:     Shape{3, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			w := rnnWeights(3)(l, in)
			if l.Bool("use_bias") && l.Bool("reset_after") {
				w[len(w)-1].Dims = Shape{2, 3, l.Int("units")} // input and recurrent biases
			}
			return w
		},
		// The unrolled cell keeps, per step, the gates z and r, the candidate, the
		// recurrent product and the state (roughly).
		Kept: rnnKept(6),
	})
}

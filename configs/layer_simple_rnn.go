package configs

// LayerSimpleRNN is Keras's SimpleRNN.
const LayerSimpleRNN = "SimpleRNN"

func init() {
	args := []Arg{
		unitsArg("state size"),
		{Key: "activation", Kind: KindString, Default: ActivationTanh, Choices: Activations(), Doc: "of the state"},
		useBiasArg(),
	}
	args = append(args, rnnDropoutArgs()...)
	args = append(args, returnSequencesArg(), goBackwardsArg())
	registerLayer(LayerSpec{
		Type:        LayerSimpleRNN,
		Doc:         "fully connected recurrence h ← activation(x·W + h·U + b)",
		Shapes:      "[time, features] → [units] ([time, units] with return_sequences)",
		Recurrent:   true,
		Args:        args,
		OutputShape: rnnShape,
		Example:     Shape{3, 2},
		Weights:     rnnWeights(1),
		Kept:        rnnKept(2), // the pre-activation and the state of every step
	})
}

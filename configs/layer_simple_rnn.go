package configs

import "slices"

// LayerSimpleRNN is Keras's SimpleRNN.
const LayerSimpleRNN = "SimpleRNN"

// without returns names less the ones given.
func without(names []string, drop ...string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(drop, n) {
			out = append(out, n)
		}
	}
	return out
}

func init() {
	args := []Arg{
		unitsArg("state size"),
		{Key: "activation", Kind: KindString, Default: ActivationTanh, Choices: without(Activations(), ActivationExponential),
			Note: "exponential feeds exp of the state back into itself and overflows within a few steps", Doc: "of the state"},
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

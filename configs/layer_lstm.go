package configs

// LayerLSTM is Keras's LSTM.
const LayerLSTM = "LSTM"

func init() {
	args := []Arg{
		unitsArg("state size"),
		{Key: "activation", Kind: KindString, Default: ActivationTanh, Choices: []string{ActivationTanh},
			Note: "TensorFlow's fused LSTM kernel has tanh only; GRU and SimpleRNN take any", Doc: "of the cell"},
		{Key: "recurrent_activation", Kind: KindString, Default: ActivationSigmoid, Choices: []string{ActivationSigmoid},
			Note: "TensorFlow's fused LSTM kernel has sigmoid only; GRU takes any", Doc: "of the gates"},
		useBiasArg(),
		{Key: "unit_forget_bias", Kind: KindBool, Default: true, Doc: "start the forget gate's bias at 1"},
	}
	args = append(args, rnnDropoutArgs()...)
	args = append(args, returnSequencesArg(),
		Arg{Key: "implementation", Kind: KindString, Optional: true, Form: true, Choices: []string{"fused", "unrolled", "cell_kernel", "cell_kernel_split", "unrolled_bfloat16", "cell_kernel_bfloat16", "cell_kernel_split_bfloat16"},
			Note: "tfrun's kernel forms, not Keras's 1 or 2",
			Doc:  "the kernels (docs/guide/fused_lstm.md): fused (BlockLSTMV2), unrolled, cell_kernel (tfrun's own), cell_kernel_split (cell_kernel on each half of the batch), and the _bfloat16 ones of the last three (computing in bfloat16, under mixed_bfloat16 only); unset: chosen by measuring (docs/guide/autotune.md)"})
	registerLayer(LayerSpec{
		Type:        LayerLSTM,
		Doc:         "long short-term memory (Hochreiter & Schmidhuber 1997), gates i, f, c, o",
		Shapes:      "[time, features] → [units] ([time, units] with return_sequences)",
		Recurrent:   true,
		Args:        args,
		OutputShape: rnnShape,
		Example:     Shape{3, 2},
		Weights:     rnnWeights(4),
		// BlockLSTMV2 keeps i, cs, f, o, ci, co and h of every step for BlockLSTMGradV2,
		// and the input transposed to time-major.
		Kept: rnnKept(7),
	})
}

package builders

// moreMixedCases are the mixed_bfloat16 cases of the activation, convolution and shape
// layers added with issue 23 (precision_test.go runs them with the others).
func moreMixedCases() []mixedCase {
	var cases []mixedCase
	for _, a := range []string{"elu", "selu", "softplus", "softsign", "hard_sigmoid", "log_softmax", "mish",
		"gelu", "gelu_approximate", "silu", "relu6", "exponential"} {
		cases = append(cases, mixedCase{"Activation_" + a, func() Layer { return NewActivation("activation", a) }, Shape{6}, 0, true})
	}
	return append(cases,
		mixedCase{"ReLU", func() Layer { return NewReLU("re_lu") }, Shape{6}, 0, true},
		mixedCase{"ReLU_max_slope_threshold", func() Layer {
			r := NewReLU("re_lu")
			r.MaxValue, r.NegativeSlope, r.Threshold = ptr(0.5), 0.3, 0.2
			return r
		}, Shape{6}, 0, true},
		mixedCase{"PReLU", func() Layer { p := NewPReLU("p_re_lu"); p.AlphaInitializer = "random_uniform"; return p }, Shape{4, 3}, 0, true},
		mixedCase{"ELU", func() Layer { return NewELU("elu", 0.5) }, Shape{6}, 0, true},
		mixedCase{"Softmax_axis_1", func() Layer { return NewSoftmax("softmax", 1) }, Shape{4, 3}, 0, true},
		mixedCase{"DepthwiseConv2D_same_m2", func() Layer {
			d := NewDepthwiseConv2D("depthwise_conv2d", [2]int{3, 3})
			d.Padding, d.DepthMultiplier = "same", 2
			return d
		}, Shape{5, 5, 3}, 0, true},
		mixedCase{"DepthwiseConv2D_dilated", func() Layer {
			d := NewDepthwiseConv2D("depthwise_conv2d", [2]int{2, 2})
			d.DilationRate = [2]int{2, 2}
			return d
		}, Shape{5, 5, 3}, 0, true},
		mixedCase{"SeparableConv2D", func() Layer {
			c := NewSeparableConv2D("separable_conv2d", 4, [2]int{3, 3})
			c.Padding, c.Strides = "same", [2]int{2, 2}
			return c
		}, Shape{6, 6, 3}, 0, true},
		mixedCase{"Conv2D_dilated", func() Layer {
			c := NewConv2D("conv2d", 4, [2]int{3, 3}, [2]int{1, 1}, "same")
			c.DilationRate = [2]int{2, 2}
			return c
		}, Shape{6, 6, 2}, 0, true},
		mixedCase{"Conv1DTranspose", func() Layer {
			c := NewConv1DTranspose("conv1d_transpose", 3, 3)
			c.Strides, c.Padding = 2, "same"
			return c
		}, Shape{5, 4}, 0, true},
		mixedCase{"ZeroPadding2D", func() Layer { return NewZeroPadding2D("zero_padding2d", SymmetricPadding(1, 2)) }, Shape{3, 3, 2}, 0, true},
		mixedCase{"ZeroPadding2D_asymmetric", func() Layer { return NewZeroPadding2D("zero_padding2d", [2][2]int{{0, 1}, {2, 0}}) }, Shape{3, 3, 2}, 0, true},
		mixedCase{"Dropout_noise_shape", func() Layer {
			d := NewDropout("dropout", 0.4)
			d.NoiseShape = []int{-1, 1, 2}
			return d
		}, Shape{3, 2}, 0, true},
		mixedCase{"Cropping2D", func() Layer { return NewCropping2D("cropping2d", SymmetricPadding(1, 1)) }, Shape{4, 4, 2}, 0, true},
		mixedCase{"Cropping2D_asymmetric", func() Layer { return NewCropping2D("cropping2d", [2][2]int{{0, 2}, {1, 0}}) }, Shape{4, 4, 2}, 0, true},
		mixedCase{"GlobalMaxPooling2D", func() Layer { return NewGlobalMaxPooling2D("global_max_pooling2d") }, Shape{4, 4, 3}, 0, true},
		mixedCase{"TimeDistributed_Dense", func() Layer {
			return NewTimeDistributed("time_distributed", NewDense("dense", 4, "relu"))
		}, Shape{5, 3}, 0, true},
		// A float32 layer (LayerNormalization) inside a bfloat16 wrapper.
		mixedCase{"TimeDistributed_LayerNormalization", func() Layer {
			return NewTimeDistributed("time_distributed", NewLayerNormalization("layer_normalization"))
		}, Shape{5, 3}, 0, true},
		mixedCase{"RepeatVector", func() Layer { return NewRepeatVector("repeat_vector", 3) }, Shape{4}, 0, true},
		mixedCase{"Permute", func() Layer { return NewPermute("permute", 2, 1) }, Shape{4, 3}, 0, true},
		mixedCase{"GaussianNoise", func() Layer { return NewGaussianNoise("gaussian_noise", 0.3) }, Shape{4, 3}, 0, true},
		mixedCase{"GaussianDropout", func() Layer { return NewGaussianDropout("gaussian_dropout", 0.3) }, Shape{4, 3}, 0, true},
		mixedCase{"Identity", func() Layer { return NewIdentity("identity") }, Shape{4, 3}, 0, true},
	)
}

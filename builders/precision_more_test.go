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
	)
}

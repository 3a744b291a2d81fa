package configs

// LayerReLU is Keras's ReLU layer.
const LayerReLU = "ReLU"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerReLU,
		Doc:    "x for threshold ≤ x < max_value, max_value above, negative_slope·(x − threshold) below",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "max_value", Kind: KindFloat, Optional: true, Bound: NonNegative, Samples: []any{6.0, 0.5},
				Doc: "the largest output (None: unbounded)"},
			{Key: "negative_slope", Kind: KindFloat, Default: 0.0, Bound: NonNegative, Doc: "slope below the threshold"},
			{Key: "threshold", Kind: KindFloat, Default: 0.0, Bound: NonNegative, Doc: "below it the output is damped (0 or the negative slope)"},
		},
		Example: Shape{4, 3},
	})
}

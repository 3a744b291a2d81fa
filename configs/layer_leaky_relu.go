package configs

// LayerLeakyReLU is Keras's LeakyReLU.
const LayerLeakyReLU = "LeakyReLU"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerLeakyReLU,
		Doc:    "x for x ≥ 0, negative_slope·x below",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "negative_slope", Kind: KindFloat, Default: 0.3, Bound: NonNegative, Alias: "alpha",
				Doc: "slope below 0 (Keras 2's alpha is accepted too)"},
		},
		Example: Shape{4},
	})
}

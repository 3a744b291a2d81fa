package configs

// LayerActivation is Keras's Activation layer.
const LayerActivation = "Activation"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerActivation,
		Doc:    "an activation function on its own",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "activation", Kind: KindString, Required: true, Choices: Activations(), Doc: "the function"},
		},
		Example: Shape{4},
	})
}

package configs

// LayerDropout is Keras's Dropout.
const LayerDropout = "Dropout"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerDropout,
		Doc:    "zeroes a fraction of the inputs in training, scaling the rest by 1/(1 − rate)",
		Shapes: "any shape → the same",
		Args: []Arg{
			rateArg("fraction dropped"),
		},
		Example: Shape{4, 3},
		Kept:    func(l *Layer, in, out Shape) []Tensor { return []Tensor{{Name: "mask", Dims: in}} },
	})
}

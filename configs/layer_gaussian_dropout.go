package configs

// LayerGaussianDropout is Keras's GaussianDropout.
const LayerGaussianDropout = "GaussianDropout"

func init() {
	registerLayer(LayerSpec{
		Type:    LayerGaussianDropout,
		Doc:     "multiplies by normal noise of mean 1 and standard deviation √(rate/(1 − rate)), in training only",
		Shapes:  "any shape → the same",
		Args:    []Arg{rateArg("the equivalent dropout rate")},
		Example: Shape{4, 3},
		Kept:    func(l *Layer, in, out Shape) []Tensor { return []Tensor{{Name: "noise", Dims: in}} },
	})
}

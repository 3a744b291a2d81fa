package configs

// LayerGaussianNoise is Keras's GaussianNoise.
const LayerGaussianNoise = "GaussianNoise"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerGaussianNoise,
		Doc:    "adds normal noise of mean 0 and standard deviation stddev, in training only",
		Shapes: "any shape → the same",
		Args: []Arg{{Key: "stddev", Kind: KindFloat, Required: true, Bound: NonNegative,
			Doc: "standard deviation of the noise, in [0, 1] as Keras asks"}},
		Check: func(l *Layer) error {
			if s := l.Float("stddev"); s > 1 {
				return argErr("stddev", "%g: must be in [0, 1] (Keras's range)", s)
			}
			return nil
		},
		Example: Shape{4, 3},
	})
}

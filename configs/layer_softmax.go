package configs

// LayerSoftmax is Keras's Softmax layer.
const LayerSoftmax = "Softmax"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerSoftmax,
		Doc:    "exp(x)/Σexp(x) along one axis",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "axis", Kind: KindInt, Default: -1, Samples: []any{1, -2},
				Doc: "the axis normalised (1 is the first after the batch; -1 the last)"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if _, err := kerasAxis("axis", l.Int("axis"), len(in)+1); err != nil {
				return nil, err
			}
			return in, nil
		},
		Example: Shape{4, 3},
	})
}

package configs

// LayerSpatialDropout1D is Keras's SpatialDropout1D.
const LayerSpatialDropout1D = "SpatialDropout1D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerSpatialDropout1D,
		Doc:    "Dropout of whole channels: in training each example's channel is zeroed at every step with probability rate",
		Shapes: "[steps, channels] → the same",
		Args:   []Arg{rateArg("fraction of channels dropped")},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if err := steps1D(in); err != nil {
				return nil, err
			}
			return in, nil
		},
		Example: Shape{5, 3},
		Kept:    func(l *Layer, in, out Shape) []Tensor { return []Tensor{{Name: "mask", Dims: in}} },
	})
}

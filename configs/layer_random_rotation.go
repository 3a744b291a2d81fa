package configs

// LayerRandomRotation is Keras's RandomRotation.
const LayerRandomRotation = "RandomRotation"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerRandomRotation,
		Doc:    "in training, rotates each image about its centre by a random angle; the identity in inference",
		Shapes: "[height, width, channels] → the same",
		Args: []Arg{
			factorArg("factor", "rotate by up to this fraction of a full turn either way (0.1: ±36°), in [−1, 1]", 0.1, -1.0),
			fillModeArg(),
			interpolationArg(""),
			fillValueArg(),
		},
		Check:       func(l *Layer) error { return checkFactor(l, "factor", -1, 1, true) },
		OutputShape: sameImageShape,
		Example:     Shape{4, 5, 2},
	})
}

package configs

// LayerRandomTranslation is Keras's RandomTranslation.
const LayerRandomTranslation = "RandomTranslation"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerRandomTranslation,
		Doc:    "in training, shifts each image by a random fraction of its height and width; the identity in inference",
		Shapes: "[height, width, channels] → the same",
		Args: []Arg{
			factorArg("height_factor", "shift up or down by up to this fraction of the height, in (−1, 1]", 0.2, -0.5, 1.0),
			factorArg("width_factor", "shift left or right by up to this fraction of the width, in (−1, 1]", 0.2, 0.0),
			fillModeArg(),
			interpolationArg(""),
			fillValueArg(),
		},
		Check: func(l *Layer) error {
			if err := checkFactor(l, "height_factor", -1, 1, false); err != nil {
				return err
			}
			return checkFactor(l, "width_factor", -1, 1, false)
		},
		OutputShape: sameImageShape,
		Example:     Shape{4, 5, 2},
	})
}

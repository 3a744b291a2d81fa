package configs

// LayerRandomZoom is Keras's RandomZoom.
const LayerRandomZoom = "RandomZoom"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerRandomZoom,
		Doc:    "in training, zooms each image about its centre by a random factor; the identity in inference",
		Shapes: "[height, width, channels] → the same",
		Args: []Arg{
			factorArg("height_factor", "the vertical zoom is 1 + a draw from [−|f|, |f|], in (−1, 1]; a positive draw zooms out", 0.2, -0.3),
			{Key: "width_factor", Kind: KindFloat, DefaultFrom: "height_factor", Samples: []any{0.1},
				Doc: "likewise horizontally; when not given, the vertical draw (the aspect ratio kept)"},
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

package configs

// LayerRandomContrast is Keras's RandomContrast.
const LayerRandomContrast = "RandomContrast"

func init() {
	registerLayer(LayerSpec{
		Type: LayerRandomContrast,
		Doc: "in training, scales each image's deviation from its per-channel mean by a random factor, " +
			"clipped to value_range; the identity in inference",
		Shapes: "[height, width, channels] → the same",
		Args: []Arg{
			factorArg("factor", "the contrast factor is drawn from [1 − f, 1 + f], f in [0, 1]", 0.5, 1.0),
			{Key: "value_range", Kind: KindPair, Default: [2]int{0, 255}, Samples: []any{[2]int{0, 1}, [2]int{-1, 1}},
				Note: "tfrun takes integer bounds", Doc: "[lower, upper] of the pixels; the output is clipped to it"},
		},
		Check: func(l *Layer) error {
			if err := checkFactor(l, "factor", 0, 1, true); err != nil {
				return err
			}
			if r := l.Pair("value_range"); r[0] >= r[1] {
				return argErr("value_range", "[%d, %d]: lower must be below upper", r[0], r[1])
			}
			return nil
		},
		OutputShape: sameImageShape,
		Example:     Shape{4, 5, 2},
	})
}

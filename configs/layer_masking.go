package configs

// LayerMasking is Keras's Masking.
const LayerMasking = "Masking"

func init() {
	registerLayer(LayerSpec{
		Type: LayerMasking,
		Doc: "masks the steps whose features all equal mask_value (zeroing them): the layers after it skip those steps " +
			"(see the mask column)",
		Shapes: "[steps, features] → the same",
		Args: []Arg{
			{Key: "mask_value", Kind: KindFloat, Default: 0.0, Doc: "the value of every feature of a padded step"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 2 {
				return nil, shapeErr(in, "(None, steps, features)")
			}
			return in, nil
		},
		Example: Shape{4, 3},
	})
}

package configs

// LayerRescaling is Keras's Rescaling.
const LayerRescaling = "Rescaling"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerRescaling,
		Doc:    "x · scale + offset (pixels in [0, 255] to [0, 1]: scale 1/255 = 0.00392156862745098)",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "scale", Kind: KindFloat, Required: true, Samples: []any{0.00392156862745098, 0.0078431372549019607},
				Doc: "the factor (one number: Keras's per-channel list is not taken)"},
			{Key: "offset", Kind: KindFloat, Default: 0.0, Samples: []any{-1.0}, Doc: "added after scaling"},
		},
		Example: Shape{4, 5, 2},
	})
}

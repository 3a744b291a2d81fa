package configs

// LayerAveragePooling2D is Keras's AveragePooling2D.
const LayerAveragePooling2D = "AveragePooling2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerAveragePooling2D,
		Doc:    "the mean over windows of the image (with same padding, over the window's part inside it)",
		Shapes: "[height, width, channels] → [height', width', channels]",
		Args: []Arg{
			{Key: "pool_size", Kind: KindPair, Required: true, Bound: Positive, Doc: "window [height, width] (Keras has no default)"},
			{Key: "strides", Kind: KindPair, DefaultFrom: "pool_size", Bound: Positive, Doc: "window step (default pool_size)"},
			paddingArg(PaddingSame, PaddingValid),
		},
		OutputShape: pool2DShape,
		Example:     Shape{6, 6, 2},
	})
}

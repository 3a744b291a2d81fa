package configs

// LayerMaxPooling2D is Keras's MaxPooling2D.
const LayerMaxPooling2D = "MaxPooling2D"

// pool2DShape is a 2-D pooling layer's output shape.
func pool2DShape(l *Layer, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeErr(in, "(None, height, width, channels)")
	}
	return window2D(in, l.Pair("pool_size"), [2]int{1, 1}, l.Pair("strides"), l.String("padding"), in[2], "pool_size")
}

func init() {
	registerLayer(LayerSpec{
		Type:   LayerMaxPooling2D,
		Doc:    "the maximum over windows of the image",
		Shapes: "[height, width, channels] → [height', width', channels]",
		Args: []Arg{
			{Key: "pool_size", Kind: KindPair, Default: [2]int{2, 2}, Bound: Positive, Doc: "window [height, width]"},
			{Key: "strides", Kind: KindPair, DefaultFrom: "pool_size", Bound: Positive, Doc: "window step (default pool_size)"},
			paddingArg(PaddingSame, PaddingValid),
		},
		OutputShape: pool2DShape,
		Example:     Shape{6, 6, 2},
	})
}

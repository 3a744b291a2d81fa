package configs

// LayerGlobalMaxPooling2D is Keras's GlobalMaxPooling2D.
const LayerGlobalMaxPooling2D = "GlobalMaxPooling2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerGlobalMaxPooling2D,
		Doc:    "the maximum over the image, per channel",
		Shapes: "[height, width, channels] → [channels] ([1, 1, channels] with keepdims)",
		Args:   []Arg{keepdimsArg(false)},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			return globalPoolShape(l, in, 3, "(None, height, width, channels)")
		},
		Example: Shape{4, 5, 3},
	})
}

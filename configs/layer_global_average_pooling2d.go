package configs

// LayerGlobalAveragePooling2D is Keras's GlobalAveragePooling2D.
const LayerGlobalAveragePooling2D = "GlobalAveragePooling2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerGlobalAveragePooling2D,
		Doc:    "the mean over height and width",
		Shapes: "[height, width, channels] → [channels] ([1, 1, channels] with keepdims)",
		Args:   []Arg{keepdimsArg(false)},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			return globalPoolShape(l, in, 3, "(None, height, width, channels)")
		},
		Example: Shape{4, 5, 3},
	})
}

package configs

// LayerGlobalMaxPooling1D is Keras's GlobalMaxPooling1D.
const LayerGlobalMaxPooling1D = "GlobalMaxPooling1D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerGlobalMaxPooling1D,
		Doc:    "the maximum over the steps",
		Shapes: "[steps, channels] → [channels] ([1, channels] with keepdims)",
		Args:   []Arg{keepdimsArg(true)},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			return globalPoolShape(l, in, 2, "(None, steps, channels)")
		},
		Example: Shape{5, 3},
	})
}

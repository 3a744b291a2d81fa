package configs

// LayerGlobalAveragePooling1D is Keras's GlobalAveragePooling1D.
const LayerGlobalAveragePooling1D = "GlobalAveragePooling1D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerGlobalAveragePooling1D,
		Doc:    "the mean over the steps (with a mask, over the unmasked ones)",
		Shapes: "[steps, channels] → [channels] ([1, channels] with keepdims)",
		Args:   []Arg{keepdimsArg(false)},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			return globalPoolShape(l, in, 2, "(None, steps, channels)")
		},
		Example: Shape{5, 3},
	})
}

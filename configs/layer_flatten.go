package configs

// LayerFlatten is Keras's Flatten.
const LayerFlatten = "Flatten"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerFlatten,
		Doc:    "flattens each example",
		Shapes: "[d1, d2, ...] → [d1·d2·...]",
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			n, err := in.checkedSize()
			if err != nil {
				return nil, err
			}
			return Shape{n}, nil
		},
		Example: Shape{3, 2, 2},
	})
}

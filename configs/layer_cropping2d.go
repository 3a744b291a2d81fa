package configs

// LayerCropping2D is Keras's Cropping2D.
const LayerCropping2D = "Cropping2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerCropping2D,
		Doc:    "removes rows and columns at the edges of an image",
		Shapes: "[height, width, channels] → [height − 2·ch, width − 2·cw, channels]",
		Args: []Arg{
			{Key: "cropping", Kind: KindPair, Default: [2]int{0, 0}, Bound: NonNegative, Samples: []any{[2]int{1, 2}, [2]int{1, 1}},
				Note: "Keras's asymmetric ((top, bottom), (left, right)) is not supported",
				Doc:  "rows and columns [ch, cw] removed on each side (one integer: both)"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 3 {
				return nil, shapeErr(in, "(None, height, width, channels)")
			}
			c := l.Pair("cropping")
			if 2*c[0] >= in[0] || 2*c[1] >= in[1] {
				return nil, argErr("cropping", "%v removes the whole image %v (each side's crop must leave at least one row and column)", c, in)
			}
			return Shape{in[0] - 2*c[0], in[1] - 2*c[1], in[2]}, nil
		},
		Example: Shape{6, 7, 2},
	})
}

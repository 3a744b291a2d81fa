package configs

// LayerZeroPadding2D is Keras's ZeroPadding2D.
const LayerZeroPadding2D = "ZeroPadding2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerZeroPadding2D,
		Doc:    "adds rows and columns of zeros around an image",
		Shapes: "[height, width, channels] → [height + 2·ph, width + 2·pw, channels]",
		Args: []Arg{
			{Key: "padding", Kind: KindPair, Default: [2]int{1, 1}, Bound: NonNegative, Samples: []any{[2]int{0, 2}, [2]int{3, 3}},
				Note: "Keras's asymmetric ((top, bottom), (left, right)) is not supported",
				Doc:  "zeros [ph, pw] added on each side (one integer: both)"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 3 {
				return nil, shapeErr(in, "(None, height, width, channels)")
			}
			p := l.Pair("padding")
			return Shape{in[0] + 2*p[0], in[1] + 2*p[1], in[2]}, nil
		},
		Example: Shape{4, 5, 2},
	})
}

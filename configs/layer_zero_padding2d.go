package configs

// LayerZeroPadding2D is Keras's ZeroPadding2D.
const LayerZeroPadding2D = "ZeroPadding2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerZeroPadding2D,
		Doc:    "adds rows and columns of zeros around an image",
		Shapes: "[height, width, channels] → [height + top + bottom, width + left + right, channels]",
		Args: []Arg{
			{Key: "padding", Kind: KindPadding, Default: [2][2]int{{1, 1}, {1, 1}}, Bound: NonNegative,
				Samples: []any{[2][2]int{{0, 0}, {2, 2}}, [2][2]int{{0, 1}, {0, 1}}, [2][2]int{{2, 0}, {1, 3}}},
				Doc:     "zeros added: n on every side, [h, w] (h above and below, w left and right), or [[top, bottom], [left, right]]"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 3 {
				return nil, shapeErr(in, "(None, height, width, channels)")
			}
			p := l.Padding("padding")
			return Shape{in[0] + p[0][0] + p[0][1], in[1] + p[1][0] + p[1][1], in[2]}, nil
		},
		Example: Shape{4, 5, 2},
	})
}

package configs

// LayerCropping2D is Keras's Cropping2D.
const LayerCropping2D = "Cropping2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerCropping2D,
		Doc:    "removes rows and columns at the edges of an image",
		Shapes: "[height, width, channels] → [height − top − bottom, width − left − right, channels]",
		Args: []Arg{
			{Key: "cropping", Kind: KindPadding, Default: [2][2]int{{0, 0}, {0, 0}}, Bound: NonNegative,
				Samples: []any{[2][2]int{{1, 1}, {2, 2}}, [2][2]int{{1, 1}, {1, 1}}, [2][2]int{{0, 1}, {2, 0}}},
				Doc:     "rows and columns removed: n on every side, [h, w] (h at the top and bottom, w at the left and right), or [[top, bottom], [left, right]]"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 3 {
				return nil, shapeErr(in, "(None, height, width, channels)")
			}
			c := l.Padding("cropping")
			h, w := in[0]-c[0][0]-c[0][1], in[1]-c[1][0]-c[1][1]
			if h <= 0 || w <= 0 {
				return nil, argErr("cropping", "%s removes the whole image %v (the crops must leave at least one row and column)", showValue(c), in)
			}
			return Shape{h, w, in[2]}, nil
		},
		Example: Shape{6, 7, 2},
	})
}

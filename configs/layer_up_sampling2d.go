package configs

// LayerUpSampling2D is Keras's UpSampling2D.
const LayerUpSampling2D = "UpSampling2D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerUpSampling2D,
		Doc:    "repeats each row and column of the image",
		Shapes: "[height, width, channels] → [size[0]·height, size[1]·width, channels]",
		Args: []Arg{
			{Key: "size", Kind: KindPair, Default: [2]int{2, 2}, Bound: Positive, Doc: "repeats [rows, columns]"},
			{Key: "interpolation", Kind: KindString, Default: "nearest", Choices: []string{"nearest"},
				Note: "bilinear is not implemented", Doc: "how new pixels are filled"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 3 {
				return nil, shapeErr(in, "(None, height, width, channels)")
			}
			s := l.Pair("size")
			h, okH := mulInt(s[0], in[0])
			w, okW := mulInt(s[1], in[1])
			if !okH || !okW {
				return nil, argErr("size", "%v: the output of the input image %v overflows int64: more than TensorFlow can represent", s, in)
			}
			return Shape{h, w, in[2]}, nil
		},
		Example: Shape{3, 4, 2},
	})
}

package configs

// LayerConv2DTranspose is Keras's Conv2DTranspose.
const LayerConv2DTranspose = "Conv2DTranspose"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerConv2DTranspose,
		Doc:    "transposed 2-D convolution (upsamples by strides)",
		Shapes: "[height, width, channels] → [height·sh (+ kh − sh when valid), width·sw (…), filters]",
		Args:   conv2DArgs(),
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 3 {
				return nil, shapeErr(in, "(None, height, width, channels)")
			}
			k, st, p := l.Pair("kernel_size"), l.Pair("strides"), l.String("padding")
			return Shape{deconvLength(in[0], k[0], st[0], p), deconvLength(in[1], k[1], st[1], p), l.Int("filters")}, nil
		},
		Example: Shape{4, 4, 2},
	})
}

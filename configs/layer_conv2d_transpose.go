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
			h, okH := DeconvOutputLength(in[0], k[0], st[0], p)
			w, okW := DeconvOutputLength(in[1], k[1], st[1], p)
			if !okH || !okW {
				return nil, argErr("strides", "%v: the output of the input image %v overflows int64: more than TensorFlow can represent", st, in)
			}
			return Shape{h, w, l.Int("filters")}, nil
		},
		Example: Shape{4, 4, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			k := l.Pair("kernel_size")
			return withBias(l, l.Int("filters"), Tensor{Name: "kernel", Dims: Shape{k[0], k[1], l.Int("filters"), in[2]}})
		},
	})
}

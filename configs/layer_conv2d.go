package configs

// LayerConv2D is Keras's Conv2D.
const LayerConv2D = "Conv2D"

// conv2DArgs are the arguments of Conv2D and Conv2DTranspose.
func conv2DArgs() []Arg {
	return append([]Arg{
		filtersArg(),
		{Key: "kernel_size", Kind: KindPair, Required: true, Bound: Positive, Doc: "window [height, width] (one integer: square)"},
		{Key: "strides", Kind: KindPair, Default: [2]int{1, 1}, Bound: Positive, Doc: "window step [height, width]"},
		paddingArg(PaddingSame, PaddingValid),
		activationArg(ActivationLinear),
		useBiasArg(),
	}, regularizerArgs()...)
}

func init() {
	registerLayer(LayerSpec{
		Type:   LayerConv2D,
		Doc:    "2-D convolution",
		Shapes: "[height, width, channels] → [height', width', filters]",
		Args:   conv2DArgs(),
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			return window2D(in, l.Pair("kernel_size"), l.Pair("strides"), l.String("padding"), l.Int("filters"), "kernel_size")
		},
		Example: Shape{8, 8, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			k := l.Pair("kernel_size")
			return withBias(l, l.Int("filters"), Tensor{Name: "kernel", Dims: Shape{k[0], k[1], in[2], l.Int("filters")}})
		},
	})
}

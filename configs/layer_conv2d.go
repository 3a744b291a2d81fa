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

// dilationArg is a 2-D convolution's dilation_rate (Later on a type fingerprinted before it).
func dilationArg(later bool) Arg {
	return Arg{Key: "dilation_rate", Kind: KindPair, Default: [2]int{1, 1}, Bound: Positive, Later: later,
		Doc: "spacing of the kernel's taps [height, width] (an à trous convolution)"}
}

// notStridedAndDilated refuses strides and dilation_rate both above 1, as Keras's Conv
// layers do.
func notStridedAndDilated(st, d [2]int) error {
	if max(st[0], st[1]) > 1 && max(d[0], d[1]) > 1 {
		return argErr("dilation_rate", "%v with strides %v: strides > 1 and dilation_rate > 1 do not go together (Keras refuses them too)", d, st)
	}
	return nil
}

func init() {
	args := conv2DArgs()
	args = append(args[:4:4], append([]Arg{dilationArg(true)}, args[4:]...)...) // after padding, as Keras
	registerLayer(LayerSpec{
		Type:   LayerConv2D,
		Doc:    "2-D convolution",
		Shapes: "[height, width, channels] → [height', width', filters]",
		Args:   args,
		Check: func(l *Layer) error {
			return notStridedAndDilated(l.Pair("strides"), l.Pair("dilation_rate"))
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			return window2D(in, l.Pair("kernel_size"), l.Pair("dilation_rate"), l.Pair("strides"), l.String("padding"), l.Int("filters"), "kernel_size")
		},
		Example: Shape{8, 8, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			k := l.Pair("kernel_size")
			return withBias(l, l.Int("filters"), Tensor{Name: "kernel", Dims: Shape{k[0], k[1], in[2], l.Int("filters")}})
		},
	})
}

package configs

// LayerConv1D is Keras's Conv1D.
const LayerConv1D = "Conv1D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerConv1D,
		Doc:    "1-D convolution over the steps",
		Shapes: "[steps, channels] → [steps', filters]",
		Args: append([]Arg{
			filtersArg(),
			{Key: "kernel_size", Kind: KindInt, Required: true, Bound: Positive, Doc: "window length"},
			{Key: "strides", Kind: KindInt, Default: 1, Bound: Positive, Doc: "window step"},
			paddingArg(PaddingCausal, PaddingSame, PaddingValid),
			{Key: "dilation_rate", Kind: KindInt, Default: 1, Bound: Positive, Later: true, Doc: "spacing of the kernel's taps"},
			activationArg(ActivationLinear),
			useBiasArg(),
		}, regularizerArgs()...),
		Check: func(l *Layer) error {
			return notStridedAndDilated([2]int{1, l.Int("strides")}, [2]int{1, l.Int("dilation_rate")})
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if err := steps1D(in); err != nil {
				return nil, err
			}
			n := ConvOutputLength(in[0], l.Int("kernel_size"), l.Int("strides"), l.Int("dilation_rate"), l.String("padding"))
			if n <= 0 {
				return nil, argErr("kernel_size", "%d is longer than the input's %d steps (padding %s)", l.Int("kernel_size"), in[0], l.String("padding"))
			}
			return Shape{n, l.Int("filters")}, nil
		},
		Example: Shape{10, 4},
		Weights: func(l *Layer, in Shape) []Tensor {
			return withBias(l, l.Int("filters"), Tensor{Name: "kernel", Dims: Shape{l.Int("kernel_size"), in[1], l.Int("filters")}})
		},
	})
}

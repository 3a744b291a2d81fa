package configs

// LayerConv1DTranspose is Keras's Conv1DTranspose.
const LayerConv1DTranspose = "Conv1DTranspose"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerConv1DTranspose,
		Doc:    "transposed 1-D convolution (upsamples the steps by strides)",
		Shapes: "[steps, channels] → [steps·strides (+ kernel_size − strides when valid), filters]",
		Args: append([]Arg{
			filtersArg(),
			{Key: "kernel_size", Kind: KindInt, Required: true, Bound: Positive, Doc: "window length"},
			{Key: "strides", Kind: KindInt, Default: 1, Bound: Positive, Doc: "window step (the upsampling factor)"},
			paddingArg(PaddingSame, PaddingValid),
			activationArg(ActivationLinear),
			useBiasArg(),
		}, regularizerArgs()...),
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if err := steps1D(in); err != nil {
				return nil, err
			}
			n, ok := DeconvOutputLength(in[0], l.Int("kernel_size"), l.Int("strides"), l.String("padding"))
			if !ok {
				return nil, argErr("strides", "%d: the output of %d steps overflows int64", l.Int("strides"), in[0])
			}
			return Shape{n, l.Int("filters")}, nil
		},
		Example: Shape{5, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			return withBias(l, l.Int("filters"), Tensor{Name: "kernel", Dims: Shape{l.Int("kernel_size"), l.Int("filters"), in[1]}})
		},
	})
}

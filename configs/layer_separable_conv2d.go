package configs

// LayerSeparableConv2D is Keras's SeparableConv2D.
const LayerSeparableConv2D = "SeparableConv2D"

func init() {
	args := []Arg{
		filtersArg(),
		{Key: "kernel_size", Kind: KindPair, Required: true, Bound: Positive, Doc: "window [height, width] (one integer: square)"},
	}
	args = append(args, depthwiseArgs()...)
	args = append(args, activationArg(ActivationLinear), useBiasArg(),
		Arg{Key: "depthwise_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on depthwise_kernel added to the loss"},
		Arg{Key: "pointwise_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on pointwise_kernel added to the loss"},
		Arg{Key: "bias_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on bias added to the loss"},
		Arg{Key: "activity_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on the output added to the loss, divided by the batch size"})
	registerLayer(LayerSpec{
		Type:   LayerSeparableConv2D,
		Doc:    "a depthwise convolution (each channel on its own) then a 1×1 convolution mixing the channels",
		Shapes: "[height, width, channels] → [height', width', filters]",
		Args:   args,
		Check:  equalStrides,
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) == 3 {
				if _, ok := mulInt(in[2], l.Int("depth_multiplier")); !ok {
					return nil, argErr("depth_multiplier", "%d times %d channels overflows int64", l.Int("depth_multiplier"), in[2])
				}
			}
			return window2D(in, l.Pair("kernel_size"), l.Pair("dilation_rate"), l.Pair("strides"), l.String("padding"), l.Int("filters"), "kernel_size")
		},
		Example: Shape{8, 8, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			k, m := l.Pair("kernel_size"), l.Int("depth_multiplier")
			return withBias(l, l.Int("filters"),
				Tensor{Name: "depthwise_kernel", Dims: Shape{k[0], k[1], in[2], m}},
				Tensor{Name: "pointwise_kernel", Dims: Shape{in[2], m, l.Int("filters")}})
		},
		Kept: func(l *Layer, in, out Shape) []Tensor {
			return []Tensor{{Name: "depthwise_output", Dims: Shape{out[0], out[1], in[2], l.Int("depth_multiplier")}}}
		},
	})
}

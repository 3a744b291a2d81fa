package configs

// LayerDepthwiseConv2D is Keras's DepthwiseConv2D.
const LayerDepthwiseConv2D = "DepthwiseConv2D"

// depthwiseArgs are the arguments DepthwiseConv2D and SeparableConv2D share after
// kernel_size, in Keras's order: strides, padding, depth_multiplier, dilation_rate.
func depthwiseArgs() []Arg {
	return []Arg{
		{Key: "strides", Kind: KindPair, Default: [2]int{1, 1}, Bound: Positive, Samples: []any{[2]int{2, 2}},
			Doc: "window step [height, width], equal (TensorFlow's CPU depthwise kernel takes no other)"},
		paddingArg(PaddingSame, PaddingValid),
		{Key: "depth_multiplier", Kind: KindInt, Default: 1, Bound: Positive, Doc: "output channels per input channel"},
		dilationArg(false),
	}
}

// equalStrides refuses unequal strides: TensorFlow's CPU DepthwiseConv2dNative kernel
// (without oneDNN) fails on them ("Current implementation only supports equal length
// strides in the row and column dimensions"), in Keras too.
func equalStrides(l *Layer) error {
	if st := l.Pair("strides"); st[0] != st[1] {
		return argErr("strides", "%v: TensorFlow's CPU depthwise convolution takes equal strides only", st)
	}
	return nil
}

func init() {
	args := []Arg{{Key: "kernel_size", Kind: KindPair, Required: true, Bound: Positive, Doc: "window [height, width] (one integer: square)"}}
	args = append(args, depthwiseArgs()...)
	args = append(args, activationArg(ActivationLinear), useBiasArg(),
		Arg{Key: "depthwise_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on kernel added to the loss"},
		Arg{Key: "bias_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on bias added to the loss"},
		Arg{Key: "activity_regularizer", Kind: KindRegularizer, Default: Regularizer{}, Doc: "penalty on the output added to the loss, divided by the batch size"})
	registerLayer(LayerSpec{
		Type: LayerDepthwiseConv2D,
		Doc: "a 2-D convolution of each input channel on its own, depth_multiplier filters each (Keras 3's " +
			"weight \"kernel\" [kh, kw, channels, depth_multiplier]; Keras 2 called it depthwise_kernel)",
		Shapes: "[height, width, channels] → [height', width', channels·depth_multiplier]",
		Args:   args,
		Check:  equalStrides,
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 3 {
				return nil, shapeErr(in, "(None, height, width, channels)")
			}
			c, ok := mulInt(in[2], l.Int("depth_multiplier"))
			if !ok {
				return nil, argErr("depth_multiplier", "%d times %d channels overflows int64", l.Int("depth_multiplier"), in[2])
			}
			return window2D(in, l.Pair("kernel_size"), l.Pair("dilation_rate"), l.Pair("strides"), l.String("padding"), c, "kernel_size")
		},
		Example: Shape{8, 8, 2},
		Weights: func(l *Layer, in Shape) []Tensor {
			k, m := l.Pair("kernel_size"), l.Int("depth_multiplier")
			return withBias(l, in[2]*m, Tensor{Name: "kernel", Dims: Shape{k[0], k[1], in[2], m}})
		},
	})
}

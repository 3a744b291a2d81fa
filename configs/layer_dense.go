package configs

// LayerDense is Keras's Dense.
const LayerDense = "Dense"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerDense,
		Doc:    "activation(x·kernel + bias) on the last axis",
		Shapes: "[..., features] → [..., units]",
		Args: append([]Arg{
			unitsArg("output features"),
			activationArg(ActivationLinear),
			useBiasArg(),
			{Key: "kernel_initializer", Kind: KindString, Default: InitializerGlorotUniform, Choices: Initializers(), Doc: "of kernel"},
			{Key: "bias_initializer", Kind: KindString, Default: InitializerZeros, Choices: vectorInitializers(),
				Note: "orthogonal needs a matrix (Keras refuses it on a bias too)", Doc: "of bias"},
		}, regularizerArgs()...),
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) < 1 {
				return nil, shapeErr(in, "(None, ..., features)")
			}
			out := append(Shape{}, in[:len(in)-1]...)
			return append(out, l.Int("units")), nil
		},
		Example: Shape{6},
		Weights: func(l *Layer, in Shape) []Tensor {
			return withBias(l, l.Int("units"), Tensor{Name: "kernel", Dims: Shape{in[len(in)-1], l.Int("units")}})
		},
	})
}

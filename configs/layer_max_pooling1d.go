package configs

// LayerMaxPooling1D is Keras's MaxPooling1D.
const LayerMaxPooling1D = "MaxPooling1D"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerMaxPooling1D,
		Doc:    "the maximum over windows of steps",
		Shapes: "[steps, channels] → [steps', channels]",
		Args: []Arg{
			{Key: "pool_size", Kind: KindInt, Default: 2, Bound: Positive, Doc: "window length"},
			{Key: "strides", Kind: KindInt, DefaultFrom: "pool_size", Bound: Positive, Doc: "window step (default pool_size)"},
			paddingArg(PaddingSame, PaddingValid),
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if err := steps1D(in); err != nil {
				return nil, err
			}
			n := ConvOutputLength(in[0], l.Int("pool_size"), l.Int("strides"), 1, l.String("padding"))
			if n <= 0 {
				return nil, argErr("pool_size", "%d is longer than the input's %d steps", l.Int("pool_size"), in[0])
			}
			return Shape{n, in[1]}, nil
		},
		Example: Shape{10, 4},
	})
}

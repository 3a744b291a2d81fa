package configs

// LayerRepeatVector is Keras's RepeatVector.
const LayerRepeatVector = "RepeatVector"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerRepeatVector,
		Doc:    "repeats a vector n times",
		Shapes: "[features] → [n, features]",
		Args:   []Arg{{Key: "n", Kind: KindInt, Required: true, Bound: Positive, Doc: "repetitions"}},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 1 {
				return nil, shapeErr(in, "(None, features)")
			}
			return Shape{l.Int("n"), in[0]}, nil
		},
		Example: Shape{4},
	})
}

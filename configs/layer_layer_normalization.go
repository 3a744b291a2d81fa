package configs

// LayerLayerNormalization is Keras's LayerNormalization.
const LayerLayerNormalization = "LayerNormalization"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerLayerNormalization,
		Doc:    "normalises each example over its last axis (Ba et al. 2016)",
		Shapes: "[..., features] → the same",
		Args: []Arg{
			{Key: "axis", Kind: KindInt, Default: -1, IntChoices: []int{-1}, Note: "only the last axis is implemented", Doc: "the axis normalised"},
			{Key: "epsilon", Kind: KindFloat, Default: 1e-3, Bound: Positive, Doc: "added to the variance"},
			{Key: "center", Kind: KindBool, Default: true, Doc: "learn an offset beta"},
			{Key: "scale", Kind: KindBool, Default: true, Doc: "learn a factor gamma"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) < 1 {
				return nil, shapeErr(in, "(None, ..., features)")
			}
			return in, nil
		},
		Example: Shape{4, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			c := Shape{in[len(in)-1]}
			var w []Tensor
			if l.Bool("scale") {
				w = append(w, Tensor{Name: "gamma", Dims: c})
			}
			if l.Bool("center") {
				w = append(w, Tensor{Name: "beta", Dims: c})
			}
			return w
		},
		Kept: func(l *Layer, in, out Shape) []Tensor { return []Tensor{{Name: "normalized", Dims: in}} },
	})
}

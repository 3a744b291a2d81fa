package configs

// LayerBatchNormalization is Keras's BatchNormalization.
const LayerBatchNormalization = "BatchNormalization"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerBatchNormalization,
		Doc:    "normalises each feature over the batch (moving statistics in inference)",
		Shapes: "[features] or [height, width, channels] → the same",
		Args: []Arg{
			{Key: "momentum", Kind: KindFloat, Default: 0.99, Bound: Fraction, Doc: "of the moving mean and variance"},
			{Key: "epsilon", Kind: KindFloat, Default: 1e-3, Bound: Positive, Doc: "added to the variance"},
			{Key: "center", Kind: KindBool, Default: true, Doc: "learn an offset beta"},
			{Key: "scale", Kind: KindBool, Default: true, Doc: "learn a factor gamma"},
			{Key: "synchronized", Kind: KindBool, Default: false, Later: true,
				Doc: "compute the statistics as a cluster does (a cluster always uses the global batch's)"},
		},
		OutputShape: func(l *Layer, in Shape) (Shape, error) {
			if len(in) != 1 && len(in) != 3 {
				return nil, shapeErr(in, "(None, features) or (None, height, width, channels)")
			}
			return in, nil
		},
		Example: Shape{4, 4, 3},
		Weights: func(l *Layer, in Shape) []Tensor {
			c := Shape{in[len(in)-1]}
			var w []Tensor
			if l.Bool("scale") {
				w = append(w, Tensor{Name: "gamma", Dims: c})
			}
			if l.Bool("center") {
				w = append(w, Tensor{Name: "beta", Dims: c})
			}
			return append(w, Tensor{Name: "moving_mean", Dims: c, Frozen: true}, Tensor{Name: "moving_variance", Dims: c, Frozen: true})
		},
		Kept: func(l *Layer, in, out Shape) []Tensor { return []Tensor{{Name: "normalized", Dims: in}} },
	})
}

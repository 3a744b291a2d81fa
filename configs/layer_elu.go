package configs

// LayerELU is Keras's ELU layer.
const LayerELU = "ELU"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerELU,
		Doc:    "x for x > 0, alpha·(exp(x) − 1) below (Clevert et al. 2016)",
		Shapes: "any shape → the same",
		Args: []Arg{
			{Key: "alpha", Kind: KindFloat, Default: 1.0, Samples: []any{0.5}, Doc: "scale of the negative part"},
		},
		Example: Shape{4, 3},
	})
}

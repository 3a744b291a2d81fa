package configs

// LayerIdentity is Keras's Identity.
const LayerIdentity = "Identity"

func init() {
	registerLayer(LayerSpec{
		Type:    LayerIdentity,
		Doc:     "returns its input unchanged",
		Shapes:  "any shape → the same",
		Example: Shape{4},
	})
}

package configs

// LayerConcatenate is Keras's Concatenate, which joins a conditional GAN network's
// label_branch and input_branch (the network applies it: it is the first of that
// network's layers).
const LayerConcatenate = "Concatenate"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerConcatenate,
		Doc:    "joins a conditional GAN network's two branches (the first of its layers)",
		Shapes: "two inputs, equal but for the last axis → one, joined along it (input branch first)",
		Join:   true,
		Args: []Arg{
			{Key: "axis", Kind: KindInt, Default: -1, IntChoices: []int{-1},
				Note: "only the last (channel) axis is implemented", Doc: "the axis joined along"},
		},
	})
}

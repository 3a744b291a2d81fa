package configs

// LayerRandomFlip is Keras's RandomFlip.
const LayerRandomFlip = "RandomFlip"

// RandomFlip's modes.
const (
	FlipHorizontal            = "horizontal"
	FlipVertical              = "vertical"
	FlipHorizontalAndVertical = "horizontal_and_vertical"
)

func init() {
	registerLayer(LayerSpec{
		Type:   LayerRandomFlip,
		Doc:    "in training, mirrors each image with probability ½ (horizontal_and_vertical: both axes on one draw, as Keras 3); the identity in inference",
		Shapes: "[height, width, channels] → the same",
		Args: []Arg{
			{Key: "mode", Kind: KindString, Default: FlipHorizontalAndVertical,
				Choices: []string{FlipHorizontal, FlipVertical, FlipHorizontalAndVertical},
				Doc:     "horizontal: left–right; vertical: up–down"},
		},
		OutputShape: sameImageShape,
		Example:     Shape{4, 5, 2},
	})
}

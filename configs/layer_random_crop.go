package configs

// LayerRandomCrop is Keras's RandomCrop.
const LayerRandomCrop = "RandomCrop"

func init() {
	registerLayer(LayerSpec{
		Type: LayerRandomCrop,
		Doc: "in training, crops a random height × width window of each image; in inference, " +
			"the centre crop of the output's aspect ratio, resized",
		Shapes:      "[h, w, channels] → [height, width, channels]",
		Args:        heightWidthArgs(),
		OutputShape: heightWidthShape,
		Example:     Shape{4, 5, 2},
	})
}

package configs

// LayerCenterCrop is Keras's CenterCrop.
const LayerCenterCrop = "CenterCrop"

func init() {
	registerLayer(LayerSpec{
		Type: LayerCenterCrop,
		Doc: "crops the central height × width window of each image (an image smaller than that: " +
			"the centre crop of that aspect ratio, resized)",
		Shapes:      "[h, w, channels] → [height, width, channels]",
		Args:        heightWidthArgs(),
		OutputShape: heightWidthShape,
		Example:     Shape{4, 5, 2},
	})
}

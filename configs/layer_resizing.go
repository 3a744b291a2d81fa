package configs

// LayerResizing is Keras's Resizing.
const LayerResizing = "Resizing"

func init() {
	registerLayer(LayerSpec{
		Type:   LayerResizing,
		Doc:    "resizes each image to height × width",
		Shapes: "[h, w, channels] → [height, width, channels]",
		Args: append(heightWidthArgs(),
			interpolationArg("bicubic, area, lanczos and the other kernels of tf.image.resize are not implemented"),
			Arg{Key: "crop_to_aspect_ratio", Kind: KindBool, Default: false,
				Doc: "first crop the centre of the output's aspect ratio, so the image is not distorted"},
		),
		OutputShape: heightWidthShape,
		Example:     Shape{4, 5, 2},
	})
}

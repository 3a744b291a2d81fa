package configs

// LayerMinimum is Keras's Minimum.
const LayerMinimum = "Minimum"

func init() { elementwiseMerge(LayerMinimum, "the element-wise minimum of its inputs", 0) }

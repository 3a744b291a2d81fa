package configs

// LayerSubtract is Keras's Subtract.
const LayerSubtract = "Subtract"

func init() { elementwiseMerge(LayerSubtract, "its first input minus its second", 2) }

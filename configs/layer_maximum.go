package configs

// LayerMaximum is Keras's Maximum.
const LayerMaximum = "Maximum"

func init() { elementwiseMerge(LayerMaximum, "the element-wise maximum of its inputs", 0) }

package configs

// LayerMultiply is Keras's Multiply.
const LayerMultiply = "Multiply"

func init() { elementwiseMerge(LayerMultiply, "the element-wise product of its inputs", 0) }

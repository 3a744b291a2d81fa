package configs

// LayerAdd is Keras's Add.
const LayerAdd = "Add"

func init() { elementwiseMerge(LayerAdd, "the sum of its inputs", 0) }

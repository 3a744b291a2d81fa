package configs

// LayerAverage is Keras's Average.
const LayerAverage = "Average"

func init() { elementwiseMerge(LayerAverage, "the element-wise mean of its inputs", 0) }

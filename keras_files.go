package tfrun

// Keras's model files as a config's train.initial_weights (.keras, .h5, .weights.h5), as
// bin/tfrun takes them: package importer registers them with
// checkpoints.RegisterWeightsFormat when it is linked in.
import _ "github.com/tfrun/tfrun/importer"

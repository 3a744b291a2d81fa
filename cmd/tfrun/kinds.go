package main

// The model kinds tfrun trains. Each registers itself when its package is linked in: its
// config section (configs.RegisterKind) and how it runs (runner.RegisterKind); tfrun looks
// a config's task up and never switches on it. Linking another kind in is one line here.
import (
	_ "github.com/tfrun/tfrun/classifier" // task classifier: the supervised model, a classifier or a regressor
	_ "github.com/tfrun/tfrun/gan"        // task gan: a generator and a discriminator
)

// Keras's model files as train.initial_weights (.keras, .h5, .weights.h5): package importer
// registers them with checkpoints.RegisterWeightsFormat when it is linked in.
import _ "github.com/tfrun/tfrun/importer"

package tfrun

// The model kinds Run trains. Each registers itself when its package is linked in: its
// config section (configs.RegisterKind) and how it runs (runner.RegisterKind); Run looks a
// config's task up and never switches on it. A program links another kind in with a
// blank import of its package. (Keras's model files as train.initial_weights are linked in
// by keras_files.go.)
import (
	_ "github.com/tfrun/tfrun/classifier" // task classifier: the supervised model, a classifier or a regressor
	_ "github.com/tfrun/tfrun/gan"        // task gan: a generator and a discriminator
)

package importer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/kerasfile"
)

// Keras files as train.initial_weights: linking this package registers Keras's formats with
// checkpoints.RegisterWeightsFormat, so that a run starts from a .keras file as from the
// run directory tfrun import writes of it, its weights matched by layer name.
func init() {
	checkpoints.RegisterWeightsFormat(".keras", modelWeights)
	checkpoints.RegisterWeightsFormat(".h5", modelWeights)
	checkpoints.RegisterWeightsFormat(".weights.h5", weightsOnly)
}

// modelWeights converts a Keras model file (a .keras zip, or Keras 2's legacy .h5) as tfrun
// import does, into the run directory dir, and returns its checkpoint: its weights are
// <Keras model name>/<layer>/<weight>, which a run's model takes by layer name. A Keras 2
// .h5 of weights only (model.save_weights) is read as weightsOnly reads it.
func modelWeights(path, config, dir string) (string, error) {
	m, err := kerasfile.Load(path)
	if errors.Is(err, kerasfile.ErrFormat) && strings.HasSuffix(path, ".h5") {
		if _, werr := kerasfile.LoadWeights(path, nil); werr == nil { // no model, only weights
			return weightsOnly(path, config, dir)
		}
	}
	if err != nil {
		return "", err
	}
	res, err := Write(m, Options{Dir: dir})
	if err != nil {
		return "", err
	}
	return res.Checkpoint, nil
}

// weightsOnly converts a weights file (model.save_weights's .weights.h5, Keras 3's or
// Keras 2's), which holds no architecture: as Keras's model.load_weights, it reads it as
// the weights of the config's model (tfrun import WEIGHTS -config config does the same).
func weightsOnly(path, config, dir string) (string, error) {
	if config == "" {
		return "", fmt.Errorf("%s: %w: a weights file holds no architecture, and the model has no config file to read it by", path, kerasfile.ErrFormat)
	}
	res, err := ImportWeights(path, config, Options{Dir: dir})
	if err != nil {
		return "", fmt.Errorf("%w (a .weights.h5 holds the weights of one architecture, read here as this config's model's, as Keras's load_weights(skip_mismatch=False) reads it; for a base under a new head, give the .keras file, whose weights go by layer name, or `tfrun import` the weights with the base's config and give that run directory)", err)
	}
	return res.Checkpoint, nil
}

package kerasfile

import (
	"regexp"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

// Model is a Keras model read by Load: its tfrun model config and its weights.
type Model struct {
	// File is the file it was read from.
	File string
	// Name is the Keras model's name.
	Name string
	// Sequential: the Keras model is a Sequential (written as model.layers alone); else a
	// functional model (model.inputs, each layer's call, model.outputs).
	Sequential bool
	// Inputs are the model's inputs in Keras's order: name (lower case, as tfrun's YAML
	// keys are), the shape of one example and its dtype (configs.DTypeFloat32 or
	// configs.DTypeInt32).
	Inputs []configs.Input
	// Outputs name the tensors the model returns (layer names).
	Outputs []string
	// Layers are the model's layers as tfrun config entries, in Keras's order.
	Layers []Layer
	// Weights are each layer's weights by layer name, in Keras's order (layer.weights:
	// Dense kernel then bias, BatchNormalization gamma, beta, moving_mean,
	// moving_variance; an LSTM its cell's kernel, recurrent_kernel, bias).
	Weights map[string][]Weight
	// Loss is the loss of Keras's compile_config, as a tfrun loss name ("" when the
	// model was not compiled or its loss is not one tfrun names).
	Loss string
	// Warnings are what Load changed without changing the model's function: an
	// initializer tfrun lacks, replaced by its default (the weights replace initial
	// values; it matters only when training starts from scratch).
	Warnings []Problem
	// KerasVersion is metadata.json's keras_version (or the legacy file's attribute).
	KerasVersion string
	// WeightGroups and FileGroups, for the weights of a Keras 3 weights file read for a
	// given model, are what the function WeightGroups returns: the file's group of each
	// layer, where its weights are or would be ("layers/dense_1"), and the groups of
	// layers with weights the file has; else nil.
	WeightGroups map[string]string
	FileGroups   []string
}

// Layer is one entry of a tfrun config's model.layers.
type Layer struct {
	// Name is the entry's name: the Keras layer's name, or for a second call of a shared
	// layer the name of that call's output.
	Name string
	// Class is the Keras class name, tfrun's type.
	Class string
	// Call names the tensors the layer is called on (functional models).
	Call []string
	// Reuse names the layer a second call of a shared layer calls again.
	Reuse string
	// Args are the arguments that differ from tfrun's defaults (Keras's), in the order of
	// the type's arguments.
	Args []Arg
	// Config is the layer as tfrun's configs package holds it (unset for a Reuse entry).
	Config configs.Layer
}

// Arg is one argument of a layer: its key and value (int, float64, bool, string, [2]int,
// []int or configs.Regularizer).
type Arg struct {
	Key   string
	Value any
}

// Weight is one weight array of a layer.
type Weight struct {
	// Path is its dataset in the HDF5 file ("/layers/dense/vars/0").
	Path   string
	Shape  []int
	Values []float32
}

// kerasSnakeCase is Keras's naming.to_snake_case, which names a layer's weights group in a
// .keras file after its class ("conv2d", "batch_normalization", "re_lu").
func kerasSnakeCase(name string) string {
	name = snakeNonWord.ReplaceAllString(name, "")
	name = snakeWord.ReplaceAllString(name, "${1}_${2}")
	return strings.ToLower(snakeLower.ReplaceAllString(name, "${1}_${2}"))
}

var (
	snakeNonWord = regexp.MustCompile(`\W+`)
	snakeWord    = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	snakeLower   = regexp.MustCompile(`([a-z])([A-Z])`)
)

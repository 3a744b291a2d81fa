// Package configs reads tfrun's YAML run configs into typed Go structs.
//
// A run config names a task (a classifier, a Keras Sequential stack or, with model.inputs,
// a functional model of named layer calls (functional.go), or a GAN), the data set, the
// model's layers in Keras's vocabulary (class names such as Dense and LSTM, argument names
// such as units and use_bias), and how to train it. [Load] reads a file with viper and
// decodes it strictly: an unknown key, a value of the wrong type or an impossible value is
// an [*Error] naming the file and the key path, returned before anything is built. Every
// argument left out takes the default of its Keras twin, so a loaded [Config] is complete.
//
// A YAML key whose value is null (`units:` or `units: ~`) counts as left out.
//
// # Model kinds
//
// The task key names the config's kind of model, an open set that registers itself as
// layers do ([RegisterKind], kind.go): the supervised model (task classifier, a
// classifier or a regressor: [Supervised], the model and train sections) and the GAN
// (task gan: [Adversarial], the gan section and train.callbacks). A [Config] holds the
// parts every kind has and its kind's [Section]; Load decodes the kind's top-level keys
// into it, Validate and the fingerprint ask the section, and a key of another kind is an
// error naming the kinds it belongs to. The running half of a kind registers in package
// runner (runner.RegisterKind); docs/guide/model_kinds.md says how to add one.
//
// # The layer registry
//
// Layer types are an open set that registers itself (as image.RegisterFormat's decoders
// do): each type's file here, layer_<keras_name>.go, declares a [LayerSpec] in init —
// its Keras class name and default layer name, its arguments (kind, Keras's default, the
// values tfrun accepts and why fewer than Keras's, if so), its output-shape rule and
// whether it takes token ids. The decoder, [Config.Validate], the fingerprint and
// [LayerReference] (the user guide's layer table, which a test keeps equal to it) read only
// the registry, so the valid names in an error message are always the registered ones.
// A [Layer] holds its type, name and arguments by Keras's key (read with Int, String, ...;
// a wrapper's nested layer with Wrapped).
//
// Loading infers every layer's output shape from the data set's (IMDB: maxlen token ids;
// the image sets' known shapes; a GAN's noise, and the generator's images for the
// discriminator), so a layer that cannot take its input or a final shape the loss cannot
// take is a load error at that layer's key.
//
// The registry is TensorFlow-free on purpose: a config can be checked without
// libtensorflow. The other half of each layer, its weights and ops, is in package
// builders, whose file for the layer registers a constructor for the same type
// (builders.FromConfig). Adding a layer type is therefore two files, each with its test:
// configs/layer_<name>.go (the spec) and builders/<name>.go (the layer, and its
// registration); the test in package assemble that builds every registered type with
// every argument value this package accepts, comparing the shapes both sides infer, fails
// until both exist and agree. That is what makes a config that loads one that builds.
package configs

// Package configs reads tfrun's YAML run configs into typed Go structs.
//
// A run config names a task (a Keras Sequential classifier or a GAN), the data set, the
// model's layers in Keras's vocabulary (class names such as Dense and LSTM, argument names
// such as units and use_bias), and how to train it. [Load] reads a file with viper and
// decodes it strictly: an unknown key, a value of the wrong type or an impossible value is
// an [*Error] naming the file and the key path, returned before anything is built. Every
// argument left out takes the default of its Keras twin, so a loaded [Config] is complete.
//
// A YAML key whose value is null (`units:` or `units: ~`) counts as left out.
//
// The package needs no TensorFlow: builders and the runner read the structs it returns.
package configs

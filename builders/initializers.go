package builders

import (
	"strings"

	"github.com/tfrun/tfrun/graphs"
)

// initializerNames are the Keras initializer names layers take as arguments: those
// graphs.InitializerByName resolves.
func initializerNames() []string {
	return []string{"glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "ones",
		"orthogonal", "random_normal", "random_uniform", "zeros"}
}

// initializer resolves a layer's initializer argument arg (Keras's spelling,
// "kernel_initializer"): "" is def, Keras's default for that weight.
func initializer(l Layer, arg, name string, def graphs.Initializer) (graphs.Initializer, error) {
	if name == "" {
		return def, nil
	}
	init, err := graphs.InitializerByName(name)
	if err != nil {
		return nil, argError(l, arg, name, "one of "+strings.Join(initializerNames(), ", "))
	}
	return init, nil
}

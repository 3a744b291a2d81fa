package builders

import (
	"fmt"
	"strings"
)

// argError reports a layer argument (Keras's spelling: "padding", "merge_mode") whose
// value the layer cannot take, with what would be valid.
func argError(layer Layer, arg string, got any, want string) error {
	if s, ok := got.(string); ok {
		got = fmt.Sprintf("%q", s)
	}
	return fmt.Errorf("layer %q (%s): %s %v, want %s", layer.Name(), layer.Type(), arg, got, want)
}

// checkChoice reports value unless it is one of choices.
func checkChoice(layer Layer, arg, value string, choices ...string) error {
	for _, c := range choices {
		if value == c {
			return nil
		}
	}
	return argError(layer, arg, value, "one of "+strings.Join(choices, ", "))
}

// checkPositive reports a size argument (units, pool_size, strides) below 1.
func checkPositive(layer Layer, arg string, values ...int) error {
	for _, v := range values {
		if v < 1 {
			if len(values) == 1 {
				return argError(layer, arg, v, "a positive integer")
			}
			return argError(layer, arg, values, "positive integers")
		}
	}
	return nil
}

package lstmkernel

import (
	"fmt"
	"os"
	"strings"
)

// EnvVar is the environment variable that turns tfrun's own kernels off: with
// TFRUN_CUSTOM_KERNELS=0 (or false, off) a run builds its models with TensorFlow's kernels
// only. Unset, empty, 1, true or on leave them on.
const EnvVar = "TFRUN_CUSTOM_KERNELS"

// Enabled reports whether EnvVar leaves tfrun's own kernels on; a value it does not know
// is an error naming the valid ones.
func Enabled() (bool, error) {
	v := os.Getenv(EnvVar)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "1", "true", "on":
		return true, nil
	case "0", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q: unknown value (valid: 1, true, on; 0, false, off)", EnvVar, v)
}

package lstmkernel

import (
	"fmt"
	"os"
	"strings"
)

// EnvVar is the environment variable that turns tfrun's own kernels on: with
// TFRUN_CUSTOM_KERNELS=1 (or true, on) a run builds its large-batch LSTMs with them
// (cell_kernel). Unset, empty, 0, false or off leave them off, so a run uses TensorFlow's
// kernels only. They are opt-in until a benchmark on a quiet machine shows them faster:
// on a loaded 2-core AMD EPYC Zen 3 an imdb_tuned step took the same time either way
// (docs/results/fused_lstm.md).
const EnvVar = "TFRUN_CUSTOM_KERNELS"

// Enabled reports whether EnvVar turns tfrun's own kernels on; a value it does not know
// is an error naming the valid ones.
func Enabled() (bool, error) {
	v := os.Getenv(EnvVar)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "on":
		return true, nil
	case "", "0", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q: unknown value (valid: 1, true, on; 0, false, off)", EnvVar, v)
}

// Disabled reports whether EnvVar turns tfrun's own kernels off by name (0, false or off),
// not merely leaves them unset: a resumed run whose checkpoint records them builds them
// again unless they are disabled so.
func Disabled() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(EnvVar))) {
	case "0", "false", "off":
		return true
	}
	return false
}

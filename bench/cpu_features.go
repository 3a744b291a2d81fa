package bench

import (
	"bufio"
	"slices"
	"strings"
)

// cpuExtensions are the vector and matrix extensions a benchmark report names, in the
// order it names them, by their /proc/cpuinfo flag. TensorFlow's kernels differ with
// them: AVX-512 and AVX512_BF16 or AVX_NE_CONVERT let it send bfloat16 to oneDNN, AMX
// runs bfloat16 matrix products in tiles.
var cpuExtensions = []struct{ flag, name string }{
	{"avx2", "AVX2"},
	{"fma", "FMA"},
	{"avx512f", "AVX-512"},
	{"avx512_vnni", "AVX512_VNNI"},
	{"avx512_bf16", "AVX512_BF16"},
	{"avx_vnni", "AVX_VNNI"},
	{"avx_ne_convert", "AVX_NE_CONVERT"},
	{"amx_tile", "AMX"},
	{"amx_bf16", "AMX_BF16"},
	{"amx_int8", "AMX_INT8"},
}

// CPUExtensions returns the extensions of cpuExtensions that the first processor's
// "flags" line in the text of /proc/cpuinfo lists (nil if there is none).
func CPUExtensions(cpuinfo string) []string {
	sc := bufio.NewScanner(strings.NewReader(cpuinfo))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(k) != "flags" {
			continue
		}
		flags := strings.Fields(v)
		var names []string
		for _, e := range cpuExtensions {
			if slices.Contains(flags, e.flag) {
				names = append(names, e.name)
			}
		}
		return names
	}
	return nil
}

// HasBFloat16Arithmetic reports whether a CPU with these extensions (CPUExtensions)
// computes in bfloat16 itself, AVX512_BF16's dot products or AMX's tiles, rather than
// converting each element to float32.
func HasBFloat16Arithmetic(extensions []string) bool {
	return slices.Contains(extensions, "AVX512_BF16") || slices.Contains(extensions, "AMX_BF16")
}

// missingExtensions are the extensions that matter for the kernels TensorFlow picks and
// that have lacks: the report says what a CPU lacks as well as what it has.
func missingExtensions(have []string) []string {
	var missing []string
	for _, name := range []string{"AVX-512", "AVX512_BF16", "AMX"} {
		if !slices.Contains(have, name) {
			missing = append(missing, name)
		}
	}
	return missing
}

// oneDNNOnLine is what TensorFlow logs at start-up (at INFO level) when its oneDNN custom
// operations are on, whether TF_ENABLE_ONEDNN_OPTS=1 or its own default chose them.
const oneDNNOnLine = "oneDNN custom operations are on"

// OneDNNSetting describes the oneDNN setting of a benchmark from TF_ENABLE_ONEDNN_OPTS
// (env; set is false when the variable is unset) and, when the standard error of a
// TensorFlow process that logged at INFO level is at hand (logged), from what TensorFlow
// decided: "on (TF_ENABLE_ONEDNN_OPTS=1)", "off (TF_ENABLE_ONEDNN_OPTS unset:
// TensorFlow's default on this CPU)"; without the log, the variable alone.
func OneDNNSetting(env string, set bool, stderr string, logged bool) string {
	variable := "TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's default on this CPU"
	if set {
		variable = "TF_ENABLE_ONEDNN_OPTS=" + env
	}
	if !logged {
		return variable
	}
	state := "off"
	if strings.Contains(stderr, oneDNNOnLine) {
		state = "on"
	}
	return state + " (" + variable + ")"
}

// MachineSlug names a machine in a file name, from its CPU model and extensions:
// "amd-epyc-family-25-model-1-avx2" (CPUModel), "intel-xeon-platinum-8581c-avx-512-amx". One results file per CPU
// model keeps numbers of different machines apart.
func MachineSlug(m Machine) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(orUnknown(m.CPU)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	for _, top := range []string{"AMX", "AVX-512", "AVX2"} { // the widest unit names the class
		if slices.Contains(m.Extensions, top) {
			b.WriteString("-" + strings.ToLower(top))
			break
		}
	}
	return b.String()
}

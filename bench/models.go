package bench

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

// Model is one benchmarked model: its tfrun config, its Keras script and how long to run it.
type Model struct {
	Name   string // the name both sides report, e.g. "imdb_lstm"
	Config string // tfrun's config, relative to the repository root
	Script string // the Keras reference, relative to bench/keras/
	Batch  int    // batch size (the config's)
	Steps  int    // timed training steps per process
	Warmup int    // untimed steps before them (>= 1; the first is the first step)
	// Precision is the Keras dtype policy both sides train under ("" or Float32:
	// float32; configs.PrecisionMixedBFloat16).
	Precision string
	// MixedSteps and MixedWarmup replace Steps and Warmup under mixed_bfloat16 on a CPU
	// without bfloat16 arithmetic (HasBFloat16Arithmetic), when set: TensorFlow's
	// bfloat16 backward convolutions run 20–40× slower than float32's there, so the
	// DCGANs get fewer steps. Where the CPU has it, bfloat16 is as fast as float32 or
	// faster, and a run of 2 steps would be timed on half a second.
	MixedSteps, MixedWarmup int
}

// PrecisionOf is p with "" read as Float32.
func PrecisionOf(p string) string {
	if p == "" {
		return Float32
	}
	return p
}

// WithPrecision returns m under precision p (Float32 or configs.PrecisionMixedBFloat16), with the step
// counts for it on a CPU with or without bfloat16 arithmetic (HasBFloat16Arithmetic).
func (m Model) WithPrecision(p string, bf16Arithmetic bool) Model {
	m.Precision = PrecisionOf(p)
	if m.Precision == configs.PrecisionMixedBFloat16 && !bf16Arithmetic {
		if m.MixedSteps > 0 {
			m.Steps = m.MixedSteps
		}
		if m.MixedWarmup > 0 {
			m.Warmup = m.MixedWarmup
		}
	}
	return m
}

// SelectPrecisions parses compare's -precision: Float32, configs.PrecisionMixedBFloat16 or "both" (float32
// first).
func SelectPrecisions(s string) ([]string, error) {
	switch s {
	case "", Float32:
		return []string{Float32}, nil
	case configs.PrecisionMixedBFloat16:
		return []string{configs.PrecisionMixedBFloat16}, nil
	case "both":
		return []string{Float32, configs.PrecisionMixedBFloat16}, nil
	}
	return nil, fmt.Errorf("bench: unknown precision %q (valid: %s, %s, both)", s, Float32, configs.PrecisionMixedBFloat16)
}

// Models are the benchmarked models with `make bench`'s default step counts, sized so a
// 5-round run (the default) takes about 8 minutes on 2 cores.
func Models() []Model {
	return []Model{
		{Name: "imdb_lstm", Config: "configs/imdb_lstm.yaml", Script: "imdb_lstm.py", Batch: 32, Steps: 200, Warmup: 5},
		{Name: "imdb_cnn_lstm", Config: "configs/imdb_cnn_lstm.yaml", Script: "imdb_cnn_lstm.py", Batch: 30, Steps: 200, Warmup: 5},
		{Name: "imdb_tuned", Config: "configs/imdb_tuned.yaml", Script: "imdb_tuned.py", Batch: 512, Steps: 20, Warmup: 2},
		{Name: "dcgan_mnist", Config: "configs/gan_mnist.yaml", Script: "dcgan_mnist.py", Batch: 256, Steps: 10, Warmup: 2,
			MixedSteps: 2, MixedWarmup: 1},
		{Name: "dcgan_cifar", Config: "configs/dcgan_cifar.yaml", Script: "dcgan_cifar.py", Batch: 256, Steps: 10, Warmup: 2,
			MixedSteps: 2, MixedWarmup: 1},
	}
}

// FindModel returns the model named name.
func FindModel(name string) (Model, error) {
	var names []string
	for _, m := range Models() {
		if m.Name == name {
			return m, nil
		}
		names = append(names, m.Name)
	}
	return Model{}, fmt.Errorf("bench: unknown model %q (valid: %s)", name, strings.Join(names, ", "))
}

// SelectModels returns the models named in list ("imdb_lstm,dcgan_mnist"; "" or "all": every
// model), in Models' order.
func SelectModels(list string) ([]Model, error) {
	all := Models()
	if list == "" || list == "all" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if _, err := FindModel(n); err != nil {
			return nil, err
		}
		want[n] = true
	}
	var out []Model
	for _, m := range all {
		if want[m.Name] {
			out = append(out, m)
		}
	}
	return out, nil
}

// ParseCounts parses per-model overrides "imdb_lstm=100,dcgan_mnist=5" (each value >= min).
func ParseCounts(flagName, s string, min int) (map[string]int, error) {
	out := map[string]int{}
	if s == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("-%s: %q is not model=N (e.g. imdb_lstm=100)", flagName, kv)
		}
		if _, err := FindModel(k); err != nil {
			return nil, fmt.Errorf("-%s: %w", flagName, err)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min {
			return nil, fmt.Errorf("-%s: %s=%q: want an integer >= %d", flagName, k, v, min)
		}
		out[k] = n
	}
	return out, nil
}

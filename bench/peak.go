package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/internal/atomicfile"
)

// The data types bench/cmd/peak times its kernels in.
const (
	Float32  = "float32"
	Bfloat16 = "bfloat16"
)

// Peak is what bench/cmd/peak measured: how fast TensorFlow's own kernels, through the same
// libtensorflow and thread settings as the benchmark, run large matrix products and the
// DCGANs' convolutions on this machine. The fastest float32 kernel is the peak each
// model's achieved FLOP/s is a share of.
type Peak struct {
	Framework string `json:"framework"` // "tensorflow 2.18.0"
	Threads   int    `json:"threads"`   // intra-op threads asked for (0: TensorFlow's choice)
	// OneDNN is TF_ENABLE_ONEDNN_OPTS as the process saw it ("" when unset: on by default).
	OneDNN  string       `json:"onednn_opts"`
	Kernels []KernelRate `json:"kernels"`
	// FMA is the float32 FMA units' rate (bench/fma), nil when not measured. No float32
	// kernel runs faster: a kernel's rate above it would count work the kernel skips.
	FMA *FMARate `json:"fma,omitempty"`
}

// FMARate is what an FMA loop on Threads threads at once measured (bench/fma).
type FMARate struct {
	GFLOPS  float64 `json:"gflops"`
	Lanes   int     `json:"lanes"`   // float32 lanes of one FMA: 16 (AVX-512), 8 (AVX2)
	Threads int     `json:"threads"` // loops run at once
}

// KernelRate is one kernel's measured speed in one data type.
type KernelRate struct {
	Name  string `json:"name"`  // what it computes, e.g. "MatMul [2048,2048]·[2048,2048]"
	DType string `json:"dtype"` // Float32 or Bfloat16
	FLOPs int64  `json:"flops"` // per run, counted as the models' steps are (graphs.CountFLOPs)
	// Seconds are the timed runs, after warm-up runs.
	Seconds []float64 `json:"seconds,omitempty"`
	// GFLOPS is FLOPs over the median of Seconds, in 10⁹ FLOP/s.
	GFLOPS float64 `json:"gflops"`
	// Error says why the kernel did not run (no CPU kernel for the data type); then
	// Seconds and GFLOPS are empty.
	Error string `json:"error,omitempty"`
}

// NewKernelRate summarises the timed runs of a kernel of flops FLOPs.
func NewKernelRate(name, dtype string, flops int64, seconds []float64) KernelRate {
	k := KernelRate{Name: name, DType: dtype, FLOPs: flops, Seconds: seconds}
	if med := NewSpread(seconds).Median; med > 0 {
		k.GFLOPS = float64(flops) / med / 1e9
	}
	return k
}

// Best returns the fastest kernel of a data type that ran.
func (p Peak) Best(dtype string) (KernelRate, bool) {
	var best KernelRate
	found := false
	for _, k := range p.Kernels {
		if k.DType == dtype && k.Error == "" && k.GFLOPS > best.GFLOPS {
			best, found = k, true
		}
	}
	return best, found
}

// Float32GFLOPS is the float32 peak in GFLOP/s: the fastest float32 kernel (0 if none ran).
func (p *Peak) Float32GFLOPS() float64 {
	if p == nil {
		return 0
	}
	k, _ := p.Best(Float32)
	return k.GFLOPS
}

// GFLOPSFor is the peak a model trained under precision is measured against: the float32
// peak for Float32 (and ""), the bfloat16 peak for configs.PrecisionMixedBFloat16 (0 if none ran).
func (p *Peak) GFLOPSFor(precision string) float64 {
	if p == nil {
		return 0
	}
	if PrecisionOf(precision) == configs.PrecisionMixedBFloat16 {
		k, _ := p.Best(Bfloat16)
		return k.GFLOPS
	}
	return p.Float32GFLOPS()
}

// Lines describes every kernel, one line each, float32 first, then the peak per data type,
// then the FMA units' rate and the float32 peak's share of it, when measured.
func (p Peak) Lines() []string {
	ks := append([]KernelRate(nil), p.Kernels...)
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].DType == Float32 && ks[j].DType != Float32 })
	var out []string
	for _, k := range ks {
		if k.Error != "" {
			out = append(out, fmt.Sprintf("%s, %s: did not run: %s", k.Name, k.DType, k.Error))
			continue
		}
		runs := fmt.Sprintf("median of %d runs", len(k.Seconds))
		if len(k.Seconds) == 1 {
			runs = "one run"
		}
		out = append(out, fmt.Sprintf("%s, %s: %s GFLOP/s (%s GFLOP a run, %s)",
			k.Name, k.DType, Figure(k.GFLOPS), Figure(float64(k.FLOPs)/1e9), runs))
	}
	for _, dt := range []string{Float32, Bfloat16} {
		if k, ok := p.Best(dt); ok {
			out = append(out, fmt.Sprintf("%s peak: %s GFLOP/s (%s)", dt, Figure(k.GFLOPS), k.Name))
		}
	}
	if f := p.FMA; f != nil {
		isa := "AVX-512"
		if f.Lanes == 8 {
			isa = "AVX2"
		}
		line := fmt.Sprintf("float32 FMA units: %s GFLOP/s (an %s FMA loop, %d lanes, on %d threads at once)", Figure(f.GFLOPS), isa, f.Lanes, f.Threads)
		if k, ok := p.Best(Float32); ok && f.GFLOPS > 0 {
			line += fmt.Sprintf("; the float32 peak is %.0f%% of it", 100*k.GFLOPS/f.GFLOPS)
		}
		out = append(out, line)
	}
	return out
}

// Faster merges two measurements of the same kernels, taken before and after a benchmark's
// rounds: each kernel keeps whichever of its two measurements was faster, so a measurement
// that something else on the machine slowed down does not lower the peak. A kernel only
// one of them timed is kept as it is; a's kernels come first, in a's order. The FMA rate
// is the faster one too.
func Faster(a, b Peak) Peak {
	out := a
	out.Kernels = nil
	if b.FMA != nil && (a.FMA == nil || b.FMA.GFLOPS > a.FMA.GFLOPS) {
		out.FMA = b.FMA
	}
	type key struct{ name, dtype string }
	index := map[key]int{}
	for _, ks := range [][]KernelRate{a.Kernels, b.Kernels} {
		for _, k := range ks {
			i, seen := index[key{k.Name, k.DType}]
			switch {
			case !seen:
				index[key{k.Name, k.DType}] = len(out.Kernels)
				out.Kernels = append(out.Kernels, k)
			case k.Error == "" && (out.Kernels[i].Error != "" || k.GFLOPS > out.Kernels[i].GFLOPS):
				out.Kernels[i] = k
			}
		}
	}
	return out
}

// ReadPeak reads a Peak written by WritePeak.
func ReadPeak(path string) (Peak, error) {
	var p Peak
	b, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	if len(p.Kernels) == 0 {
		return p, fmt.Errorf("%s: no kernels", path)
	}
	return p, nil
}

// WritePeak writes p as JSON, atomically.
func WritePeak(path string, p Peak) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/bench/fma"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown dtype", []string{"-dtypes", "float32,float16"}, `-dtypes: unknown "float16" (valid: float32, bfloat16)`},
		{"arguments", []string{"extra"}, `want no arguments`},
		{"no runs", []string{"-min-runs", "0"}, `-min-runs >= 1`},
		{"max below min", []string{"-seconds", "2", "-max-seconds", "1"}, `0 <= -seconds <= -max-seconds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
	if code, _, stderr := runCLI(t, "-kernels", "nope", "-dtypes", "float32"); code != 1 || !strings.Contains(stderr, `-kernels "nope" selects none`) {
		t.Errorf("no kernel selected: exit %d, stderr %q; want 1", code, stderr)
	}
}

func TestMore(t *testing.T) {
	o := options{seconds: 1, maxSeconds: 5, minRuns: 3}
	tests := []struct {
		n       int
		elapsed float64
		want    bool
	}{
		{0, 0, true},
		{0, 9, true}, // at least one run
		{1, 0.5, true},
		{2, 2, true},   // fewer than -min-runs
		{3, 0.5, true}, // less than -seconds
		{3, 1, false},
		{2, 5, false}, // -max-seconds
	}
	for _, tt := range tests {
		if got := o.more(tt.n, tt.elapsed); got != tt.want {
			t.Errorf("more(%d, %v) = %v, want %v", tt.n, tt.elapsed, got, tt.want)
		}
	}
}

// TestPeak times dcgan_cifar's convolution once in each data type and checks what is
// reported: its FLOPs, 2·256·64·128·37·37 = 5,742,002,176 (16 → 8 at stride 2, SAME: 37
// of the 40 taps along each axis inside the input), counted by graphs.CountFLOPs; a
// positive rate, or the reason the kernel did not run; and the FMA units' rate, with the
// peak as a share of it, on a CPU with AVX2 or AVX-512.
func TestPeak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "peak.json")
	code, stdout, stderr := runCLI(t, "-kernels", "dcgan_cifar", "-seconds", "0", "-min-runs", "1", "-fma-seconds", "0.02", "-json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, err := bench.ReadPeak(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Kernels) != 2 || p.Framework == "" {
		t.Fatalf("want one kernel in two data types, got %+v", p)
	}
	for i, dt := range []string{bench.Float32, bench.Bfloat16} {
		k := p.Kernels[i]
		if k.DType != dt || k.FLOPs != 5742002176 || !strings.Contains(k.Name, "dcgan_cifar") {
			t.Errorf("kernel %d: %+v, want %s, 5,742,002,176 FLOPs", i, k, dt)
		}
		if k.Error == "" && (len(k.Seconds) != 1 || !(k.GFLOPS > 0)) {
			t.Errorf("kernel %d ran but reports %+v", i, k)
		}
		t.Logf("%s: %.1f GFLOP/s %s", dt, k.GFLOPS, k.Error)
	}
	if k, ok := p.Best(bench.Float32); !ok || !strings.Contains(stdout, "float32 peak: "+bench.Figure(k.GFLOPS)+" GFLOP/s") {
		t.Errorf("stdout %q lacks the float32 peak", stdout)
	}
	_, err = fma.Measure(1, 0.001)
	switch {
	case errors.Is(err, fma.ErrNoFMA):
		if p.FMA != nil || !strings.Contains(stdout, "float32 FMA units: not measured") {
			t.Errorf("no FMA on this CPU, but FMA %+v, stdout %q", p.FMA, stdout)
		}
	case p.FMA == nil || !(p.FMA.GFLOPS > 0) || p.FMA.Threads < 1:
		t.Errorf("FMA rate %+v, want one measured on every CPU", p.FMA)
	case !strings.Contains(stdout, "float32 FMA units: "+bench.Figure(p.FMA.GFLOPS)+" GFLOP/s") || !strings.Contains(stdout, "the float32 peak is "):
		t.Errorf("stdout %q lacks the FMA units' rate and the peak's share of it", stdout)
	}
}

package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestNewKernelRate(t *testing.T) {
	// 5.14 GFLOP in a median of 0.05 s: 102.8 GFLOP/s.
	k := NewKernelRate("Conv2D", Float32, 5_138_022_400, []float64{0.07, 0.05, 0.04})
	if want := 5_138_022_400 / 0.05 / 1e9; k.GFLOPS != want {
		t.Errorf("GFLOPS %v, want %v", k.GFLOPS, want)
	}
	if k := NewKernelRate("MatMul", Float32, 1, nil); k.GFLOPS != 0 {
		t.Errorf("no runs: GFLOPS %v, want 0", k.GFLOPS)
	}
}

func TestPeakBest(t *testing.T) {
	p := testPeak()
	tests := []struct {
		dtype string
		want  string
		ok    bool
	}{
		{Float32, "Conv2D", true},
		{Bfloat16, "MatMul", true},
		{"float16", "", false},
	}
	for _, tt := range tests {
		got, ok := p.Best(tt.dtype)
		if got.Name != tt.want || ok != tt.ok {
			t.Errorf("Best(%s) = %q, %v; want %q, %v", tt.dtype, got.Name, ok, tt.want, tt.ok)
		}
	}
	if got := p.Float32GFLOPS(); got != 200 {
		t.Errorf("Float32GFLOPS %v, want 200", got)
	}
	if got := (*Peak)(nil).Float32GFLOPS(); got != 0 {
		t.Errorf("nil peak: Float32GFLOPS %v, want 0", got)
	}
}

// Faster keeps each kernel's faster measurement of the two, a kernel that ran over one
// that did not, and kernels only one measurement has.
func TestFaster(t *testing.T) {
	before := Peak{Framework: "tensorflow 2.18.0", Kernels: []KernelRate{
		{Name: "MatMul", DType: Float32, GFLOPS: 300},
		{Name: "Conv2D", DType: Float32, GFLOPS: 150}, // slowed down by something else
		{Name: "MatMul", DType: Bfloat16, Error: "no kernel"},
		{Name: "Conv2D", DType: Bfloat16, GFLOPS: 500},
	}}
	after := Peak{Framework: "tensorflow 2.18.0", Kernels: []KernelRate{
		{Name: "MatMul", DType: Float32, GFLOPS: 290},
		{Name: "Conv2D", DType: Float32, GFLOPS: 320},
		{Name: "MatMul", DType: Bfloat16, GFLOPS: 600},
		{Name: "Conv2D", DType: Bfloat16, Error: "timed out"},
		{Name: "Extra", DType: Float32, GFLOPS: 10},
	}}
	got := Faster(before, after)
	want := []string{"MatMul/float32 300", "Conv2D/float32 320", "MatMul/bfloat16 600", "Conv2D/bfloat16 500", "Extra/float32 10"}
	var have []string
	for _, k := range got.Kernels {
		have = append(have, fmt.Sprintf("%s/%s %g", k.Name, k.DType, k.GFLOPS))
	}
	if !slices.Equal(have, want) {
		t.Errorf("Faster kernels %q, want %q", have, want)
	}
	if got.Framework != before.Framework || got.Float32GFLOPS() != 320 {
		t.Errorf("Faster: framework %q, float32 peak %v; want %q, 320", got.Framework, got.Float32GFLOPS(), before.Framework)
	}
	if before.Kernels[1].GFLOPS != 150 {
		t.Errorf("Faster changed its argument")
	}
	// The FMA rate: the faster of the two, or the one measured.
	slow, fast := &FMARate{GFLOPS: 400, Lanes: 16, Threads: 2}, &FMARate{GFLOPS: 440, Lanes: 16, Threads: 2}
	for _, tt := range []struct{ a, b, want *FMARate }{{slow, fast, fast}, {fast, slow, fast}, {nil, slow, slow}, {slow, nil, slow}, {nil, nil, nil}} {
		if got := Faster(Peak{FMA: tt.a}, Peak{FMA: tt.b}).FMA; got != tt.want {
			t.Errorf("Faster of FMA %v and %v: %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPeakLines(t *testing.T) {
	p := Peak{Kernels: []KernelRate{
		NewKernelRate("MatMul [2048,2048]·[2048,2048]", Bfloat16, 17_179_869_184, []float64{0.04}),
		NewKernelRate("MatMul [2048,2048]·[2048,2048]", Float32, 17_179_869_184, []float64{0.08, 0.08}),
		{Name: "Conv2DBackpropInput", DType: Bfloat16, FLOPs: 1, Error: "No registered kernel"},
	}}
	want := []string{
		"MatMul [2048,2048]·[2048,2048], float32: 215 GFLOP/s (17.2 GFLOP a run, median of 2 runs)",
		"MatMul [2048,2048]·[2048,2048], bfloat16: 429 GFLOP/s (17.2 GFLOP a run, one run)",
		"Conv2DBackpropInput, bfloat16: did not run: No registered kernel",
		"float32 peak: 215 GFLOP/s (MatMul [2048,2048]·[2048,2048])",
		"bfloat16 peak: 429 GFLOP/s (MatMul [2048,2048]·[2048,2048])",
	}
	if got := p.Lines(); !reflect.DeepEqual(got, want) {
		t.Errorf("Lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// With the FMA units measured, a last line gives their rate and the peak's share.
	p.FMA = &FMARate{GFLOPS: 430, Lanes: 8, Threads: 2}
	want = append(want, "float32 FMA units: 430 GFLOP/s (an AVX2 FMA loop, 8 lanes, on 2 threads at once); the float32 peak is 50% of it")
	if got := p.Lines(); !reflect.DeepEqual(got, want) {
		t.Errorf("Lines with the FMA rate:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteReadPeak(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "peak.json")
	want := Peak{Framework: "tensorflow 2.18.0", OneDNN: "1", Kernels: []KernelRate{NewKernelRate("MatMul", Float32, 8, []float64{1, 2})}}
	if err := WritePeak(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPeak(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"framework": "x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPeak(empty); err == nil || !strings.Contains(err.Error(), "no kernels") {
		t.Errorf("a peak without kernels: error %v, want \"no kernels\"", err)
	}
}

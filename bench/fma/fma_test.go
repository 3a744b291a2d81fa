package fma

import (
	"errors"
	"testing"
)

// The loop runs and gives a rate within bounds no real core is outside of: a loop that lost
// its FMAs to the compiler would report far more than the upper bound.
func TestMeasure(t *testing.T) {
	r, err := Measure(1, 0.02)
	if errors.Is(err, ErrNoFMA) {
		t.Skip("fma: no AVX-512 or AVX2 FMA instructions on this CPU")
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.Threads != 1 || (r.Lanes != 8 && r.Lanes != 16) {
		t.Fatalf("rate %+v: want 1 thread and 8 or 16 lanes", r)
	}
	// One core: at least 1 GHz × one FMA of the lanes every 4 cycles; at most 6 GHz × 4 FMA
	// pipes.
	if lo, hi := 1.0*float64(r.Lanes)*2/4, 6.0*4*float64(r.Lanes)*2; r.GFLOPS < lo || r.GFLOPS > hi {
		t.Fatalf("%.1f GFLOP/s on one thread, want between %.0f and %.0f", r.GFLOPS, lo, hi)
	}
}

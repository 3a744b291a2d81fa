// Package fma measures the rate of this CPU's float32 fused multiply-add units: an FMA
// loop in the widest vectors the CPU has (AVX-512 or AVX2), on several threads at once
// (every CPU the process may use, by default). A float32 kernel in those vectors cannot run
// faster, so bench/cmd/peak reports it beside the kernels' peak: a kernel that seems faster
// is credited with work it does not do. (On a CPU that lowers its clock for AVX-512, an
// AVX2 kernel can pass the AVX-512 loop by a little.)
package fma

/*
#cgo CFLAGS: -O2 -std=gnu11
#include "fma.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"sync"
	"time"
)

// Rate is one measurement of the FMA units.
type Rate struct {
	GFLOPS  float64 // 10⁹ FLOP/s, an FMA counting two
	Lanes   int     // float32 lanes of one FMA: 16 (AVX-512) or 8 (AVX2)
	Threads int     // loops run at once, one per thread
}

// ErrNoFMA is Measure's error on a CPU without AVX2 and FMA (or not x86-64).
var ErrNoFMA = errors.New("fma: no AVX-512 or AVX2 FMA instructions on this CPU")

// Measure runs the loop on threads threads at once (0: runtime.NumCPU()), each for about
// seconds, three times, and returns the fastest of the three.
func Measure(threads int, seconds float64) (Rate, error) {
	lanes := int(C.tfrun_fma_lanes())
	if lanes == 0 {
		return Rate{}, ErrNoFMA
	}
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	// Calibrate: the iterations one thread runs in seconds.
	const probe = 1 << 20
	t0 := time.Now()
	C.tfrun_fma_run(probe)
	per := time.Since(t0).Seconds() / probe
	iterations := max(int64(seconds/max(per, 1e-12)), probe)
	best := Rate{Lanes: lanes, Threads: threads}
	for range 3 {
		var wg sync.WaitGroup
		start := time.Now()
		for range threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				C.tfrun_fma_run(C.int64_t(iterations))
			}()
		}
		wg.Wait()
		flops := float64(threads) * float64(iterations) * C.TFRUN_FMA_CHAINS * float64(lanes) * 2
		best.GFLOPS = max(best.GFLOPS, flops/time.Since(start).Seconds()/1e9)
	}
	return best, nil
}

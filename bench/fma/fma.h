// Declarations of the FMA loop (fma.c).

#ifndef TFRUN_BENCH_FMA_H_
#define TFRUN_BENCH_FMA_H_

#include <stdint.h>

// tfrun_fma_lanes is how many float32 lanes the widest FMA instruction this CPU runs has:
// 16 with AVX-512, 8 with AVX2 and FMA, 0 without either (or off x86-64).
int tfrun_fma_lanes(void);

// tfrun_fma_run runs iterations of TFRUN_FMA_CHAINS independent fused multiply-adds of
// tfrun_fma_lanes() lanes each and returns a value that depends on every one of them (so
// the compiler keeps them).
float tfrun_fma_run(int64_t iterations);

// The independent chains: enough to hide an FMA's latency (4 cycles) on two FMA pipes.
#define TFRUN_FMA_CHAINS 12

#endif  // TFRUN_BENCH_FMA_H_

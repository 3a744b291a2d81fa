// An FMA loop: TFRUN_FMA_CHAINS accumulators, each x = x·m + c per iteration, in the widest
// vectors the CPU has. Nothing but the FMAs and the loop's counter runs, so its rate is
// what the CPU's float32 FMA units do, the limit of any float32 kernel.

#include "fma.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static float run512(int64_t iterations) {
  const __m512 m = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
  __m512 x[TFRUN_FMA_CHAINS];
  for (int i = 0; i < TFRUN_FMA_CHAINS; i++) x[i] = _mm512_set1_ps((float)i);
  for (int64_t k = 0; k < iterations; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < TFRUN_FMA_CHAINS; i++) x[i] = _mm512_fmadd_ps(x[i], m, c);
  }
  float sum = 0;
  for (int i = 0; i < TFRUN_FMA_CHAINS; i++) sum += _mm512_reduce_add_ps(x[i]);
  return sum;
}

__attribute__((target("avx2,fma"))) static float run256(int64_t iterations) {
  const __m256 m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
  __m256 x[TFRUN_FMA_CHAINS];
  for (int i = 0; i < TFRUN_FMA_CHAINS; i++) x[i] = _mm256_set1_ps((float)i);
  for (int64_t k = 0; k < iterations; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < TFRUN_FMA_CHAINS; i++) x[i] = _mm256_fmadd_ps(x[i], m, c);
  }
  float sum = 0, lanes[8];
  for (int i = 0; i < TFRUN_FMA_CHAINS; i++) {
    _mm256_storeu_ps(lanes, x[i]);
    for (int j = 0; j < 8; j++) sum += lanes[j];
  }
  return sum;
}

int tfrun_fma_lanes(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 16;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
  return 0;
}

float tfrun_fma_run(int64_t iterations) {
  switch (tfrun_fma_lanes()) {
    case 16:
      return run512(iterations);
    case 8:
      return run256(iterations);
  }
  return 0;
}

#else

int tfrun_fma_lanes(void) { return 0; }
float tfrun_fma_run(int64_t iterations) {
  (void)iterations;
  return 0;
}

#endif

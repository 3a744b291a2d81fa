// Philox-4x32-10 uniform draws as TensorFlow's StatelessRandomUniformV2 makes them in
// float32, and Dropout's mask from them (see mask.h).
//
// The algorithm is Salmon et al.'s "Parallel random numbers: as easy as 1, 2, 3" (SC 2011)
// with TensorFlow's word order (tensorflow/core/lib/random/philox_random.h): each round
// multiplies words 0 and 2 by two constants, the new words being (hi(M1·c2) ^ c1 ^ k0,
// lo(M1·c2), hi(M0·c0) ^ c3 ^ k1, lo(M0·c0)); the key grows by two Weyl constants between
// rounds. The blocks are independent; the compiler computes many at once in vector
// registers.

#include <string.h>

#include "mask.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define tfrun_vectorized __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define tfrun_vectorized
#endif

static const uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
static const uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

// to_unit is TensorFlow's Uint32ToFloat: the low 23 bits as the mantissa of a float in
// [1, 2), minus 1.
static inline float to_unit(uint32_t x) {
  uint32_t bits = 0x3F800000u | (x & 0x7FFFFFu);
  float f;
  memcpy(&f, &bits, sizeof f);
  return f - 1.0f;
}

// philox_block is block number b after the counter (lo, hi): its four words as draws.
static inline __attribute__((always_inline)) void philox_block(uint64_t lo0, uint64_t hi0, uint32_t k0,
                                                               uint32_t k1, uint64_t b, float u[4]) {
  uint64_t lo = lo0 + b, hi = hi0 + (lo < lo0);  // the 128-bit counter + b
  uint32_t c0 = (uint32_t)lo, c1 = (uint32_t)(lo >> 32), c2 = (uint32_t)hi, c3 = (uint32_t)(hi >> 32);
#pragma GCC unroll 10
  for (int round = 0; round < 10; round++) {
    uint64_t p0 = (uint64_t)kM0 * c0, p1 = (uint64_t)kM1 * c2;
    uint32_t w0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, w2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1;
    c3 = (uint32_t)p0;
    c0 = w0;
    c2 = w2;
    k0 += kW0;
    k1 += kW1;
  }
  u[0] = to_unit(c0);
  u[1] = to_unit(c1);
  u[2] = to_unit(c2);
  u[3] = to_unit(c3);
}

tfrun_vectorized void tfrun_uniform_f32(int64_t n, const uint32_t key[2], const uint32_t counter[4],
                                        float* restrict out) {
  const uint64_t lo0 = (uint64_t)counter[0] | (uint64_t)counter[1] << 32;
  const uint64_t hi0 = (uint64_t)counter[2] | (uint64_t)counter[3] << 32;
  const uint32_t k0 = key[0], k1 = key[1];
  const int64_t whole = n / 4;
  for (int64_t b = 0; b < whole; b++) philox_block(lo0, hi0, k0, k1, (uint64_t)b, out + 4 * b);
  if (n % 4 != 0) {  // a last, partial block
    float u[4];
    philox_block(lo0, hi0, k0, k1, (uint64_t)whole, u);
    memcpy(out + 4 * whole, u, (size_t)(n % 4) * sizeof(float));
  }
}

tfrun_vectorized void tfrun_mask_f32(int64_t n, float* u, float rate, float scale) {
  for (int64_t i = 0; i < n; i++) u[i] = u[i] >= rate ? scale : 0.0f;
}

// bf16_round is a float in [0, 1)'s bfloat16 bits, rounded to nearest even (as
// TensorFlow's Cast); widen is bfloat16 bits' float.
static inline uint32_t bf16_round(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return (b + 0x7FFFu + ((b >> 16) & 1u)) >> 16;
}
static inline float widen(uint32_t h) {
  uint32_t b = h << 16;
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

tfrun_vectorized void tfrun_mask_bf16(int64_t n, const float* u, uint16_t rate, uint16_t scale,
                                      uint16_t* out) {
  const float r = widen(rate);
  for (int64_t i = 0; i < n; i++) out[i] = widen(bf16_round(u[i])) >= r ? scale : 0;
}

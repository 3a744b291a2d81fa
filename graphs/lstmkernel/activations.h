// The activations and number conversions of tfrun's LSTM cell kernels: branch-free
// inline functions that the compiler vectorizes over a row of gates.

#ifndef TFRUN_LSTMKERNEL_ACTIVATIONS_H_
#define TFRUN_LSTMKERNEL_ACTIVATIONS_H_

#include <stdint.h>
#include <string.h>

// Floating-point comparisons may not trap: then GCC if-converts the clamps and selects
// below and vectorizes the row loops (the kernels never inspect floating-point flags).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

// tfrun_vectorized marks a row loop for function multi-versioning where GCC supports it
// on x86-64 Linux with glibc (an IFUNC): one copy for AVX-512 (x86-64-v4), one for AVX2 with
// FMA (x86-64-v3) and the baseline, chosen once by the dynamic loader for the CPU at hand.
// Elsewhere the baseline copy alone.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    defined(__GLIBC__)
#define tfrun_vectorized __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define tfrun_vectorized
#endif

static inline float tfrun_clamp(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

// tfrun_exp is e^x, Cephes's expf (range reduction by ln 2 in two parts, a degree-6
// polynomial, 2^n built in the exponent bits), accurate to about 2 ulp; x is clamped to
// [-87, 88], where the result is a normal float.
static inline float tfrun_exp(float x) {
  x = tfrun_clamp(x, -87.0f, 88.0f);
  // Adding and subtracting 1.5·2^23 rounds to the nearest integer (no -ffast-math here,
  // which would fold it away).
  const float round = 12582912.0f;
  float n = (x * 1.44269504088896341f + round) - round;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// tfrun_sigmoid is the logistic function 1 / (1 + e^−x).
static inline float tfrun_sigmoid(float x) { return 1.0f / (1.0f + tfrun_exp(-x)); }

// tfrun_tanh is Eigen's generic_fast_tanh_float (Eigen/src/Core/MathFunctionsImpl.h, the
// version TensorFlow 2.18 builds its Tanh kernel with): a 13/6-degree rational
// interpolant on [-7.9053, 7.9053], outside which tanh is ±1 in float32, and x itself
// for |x| < 0.0004.
static inline float tfrun_tanh(float a) {
  float x = tfrun_clamp(a, -7.90531110763549805f, 7.90531110763549805f);
  float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * x;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  float t = tfrun_clamp(p / q, -1.0f, 1.0f);
  float abs = a < 0 ? -a : a;
  return abs < 0.0004f ? a : t;
}

// tfrun_from_bf16 widens a bfloat16 (its bits) to float32, exactly.
static inline float tfrun_from_bf16(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// tfrun_to_bf16 rounds a float32 to the nearest bfloat16, ties to even, as TensorFlow's
// bfloat16 conversion does (a NaN stays a quiet NaN).
static inline uint16_t tfrun_to_bf16(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) {
    return (uint16_t)((bits >> 16) | 0x40u);
  }
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return (uint16_t)(bits >> 16);
}

// tfrun_widen and tfrun_narrow convert n bfloat16 values to float32 and back (rounding to
// nearest even). They are inlined into the bfloat16 kernels, whose tfrun_vectorized copies
// vectorize them with the cell's math.
static inline __attribute__((always_inline)) void tfrun_widen(float* restrict dst, const uint16_t* restrict src, int64_t n) {
  for (int64_t j = 0; j < n; j++) dst[j] = tfrun_from_bf16(src[j]);
}

static inline __attribute__((always_inline)) void tfrun_narrow(uint16_t* restrict dst, const float* restrict src, int64_t n) {
  for (int64_t j = 0; j < n; j++) dst[j] = tfrun_to_bf16(src[j]);
}

#endif  // TFRUN_LSTMKERNEL_ACTIVATIONS_H_

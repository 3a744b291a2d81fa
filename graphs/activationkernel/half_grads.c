// LeakyReluGrad, EluGrad and SeluGrad in bfloat16 and float16, one vectorized pass each
// (see half_grads.h).
//
// TensorFlow 2.18's kernels are Eigen selects on the 16-bit type, e.g.
// select(y > 0, dy, dy * alpha): each sum or product widens both operands to float32,
// computes and rounds back to nearest even. The compiler vectorizes these loops; Eigen's
// select on 16-bit types does not.

#include <string.h>

#include "half_grads.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define tfrun_vectorized __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define tfrun_vectorized
#endif

// bf16_widen is bfloat16 bits' float.
static inline float bf16_widen(uint16_t h) {
  uint32_t b = (uint32_t)h << 16;
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

// bf16_round is f's bfloat16 bits, rounded to nearest even; a NaN becomes the quiet NaN of
// its sign, as Eigen's float-to-bfloat16 conversion makes it.
static inline uint16_t bf16_round(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  if ((b & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)(((b >> 16) & 0x8000u) | 0x7FC0u);
  return (uint16_t)((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16);
}

tfrun_vectorized void tfrun_leaky_relu_grad_bf16(int64_t n, const uint16_t* restrict dy,
                                                 const uint16_t* restrict y, uint16_t alpha,
                                                 uint16_t* restrict out) {
  const float a = bf16_widen(alpha);
  for (int64_t i = 0; i < n; i++) {
    uint16_t scaled = bf16_round(bf16_widen(dy[i]) * a);
    out[i] = bf16_widen(y[i]) > 0.0f ? dy[i] : scaled;
  }
}

// f16_widen is IEEE half bits' float, exactly: a normal half moves its exponent bias from
// 15 to 127, a subnormal one is its mantissa times 2^-24, infinities and NaNs keep their
// bits. Integer operations and selects only, so the loop vectorizes without F16C.
static inline float f16_widen(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
  float sub = (float)(int32_t)m * 0x1p-24f;
  uint32_t sub_bits;
  memcpy(&sub_bits, &sub, sizeof sub_bits);
  // Masks, all ones or zero, rather than branches, for the vectorizer.
  uint32_t special = -(uint32_t)(e == 0x1Fu), zero_exp = -(uint32_t)(e == 0);
  uint32_t normal = (e + 112u) << 23 | m << 13, inf_nan = 0x7F800000u | m << 13;
  uint32_t bits = sign | (special & inf_nan) | (zero_exp & sub_bits) | (~(special | zero_exp) & normal);
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// f16_round is f's IEEE half bits, rounded to nearest even as Eigen's half conversion
// rounds (its software path, which TensorFlow's CPU build uses): a NaN becomes the quiet
// NaN 0x7E00 of its sign, values from 65520 up infinity, values below half's normal range
// its subnormals (f + 0.5 rounds f to a multiple of 2^-24 in float32's own rounding).
static inline uint16_t f16_round(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  uint32_t sign = (b >> 16) & 0x8000u, a = b & 0x7FFFFFFFu;
  float abs_f;
  memcpy(&abs_f, &a, sizeof abs_f);
  float shifted = abs_f + 0.5f;
  uint32_t sub_bits;
  memcpy(&sub_bits, &shifted, sizeof sub_bits);
  uint32_t sub = sub_bits - 0x3F000000u;
  uint32_t normal = (a + 0xC8000FFFu + ((a >> 13) & 1u)) >> 13;  // bias 127 → 15, round
  uint32_t nan = -(uint32_t)(a > 0x7F800000u), big = -(uint32_t)(a >= 0x47800000u) & ~nan;
  uint32_t small = -(uint32_t)(a < 0x38800000u);
  uint32_t h = (nan & 0x7E00u) | (big & 0x7C00u) | (small & sub) | (~(nan | big | small) & normal);
  return (uint16_t)(h | sign);
}

tfrun_vectorized void tfrun_leaky_relu_grad_f16(int64_t n, const uint16_t* restrict dy,
                                                const uint16_t* restrict y, uint16_t alpha,
                                                uint16_t* restrict out) {
  const float a = f16_widen(alpha);
  for (int64_t i = 0; i < n; i++) {
    uint16_t scaled = f16_round(f16_widen(dy[i]) * a);
    // y > 0: the bits of a positive half, up to +inf (a half widens to a normal float or
    // zero, so this is the float comparison's result whatever the denormal mode). A mask,
    // not a ternary, so that GCC 12 vectorizes the loop.
    uint16_t keep = -(uint16_t)((uint16_t)(y[i] - 1u) < 0x7C00u);
    out[i] = (uint16_t)((dy[i] & keep) | (scaled & ~keep));
  }
}

tfrun_vectorized void tfrun_elu_grad_bf16(int64_t n, const uint16_t* restrict dy,
                                          const uint16_t* restrict y, uint16_t* restrict out) {
  for (int64_t i = 0; i < n; i++) {
    float yv = bf16_widen(y[i]);
    uint16_t scaled = bf16_round(bf16_widen(bf16_round(yv + 1.0f)) * bf16_widen(dy[i]));
    out[i] = yv < 0.0f ? scaled : dy[i];
  }
}

tfrun_vectorized void tfrun_selu_grad_bf16(int64_t n, const uint16_t* restrict dy,
                                           const uint16_t* restrict y, uint16_t scale,
                                           uint16_t scale_alpha, uint16_t* restrict out) {
  const float s = bf16_widen(scale), sa = bf16_widen(scale_alpha);
  for (int64_t i = 0; i < n; i++) {
    float yv = bf16_widen(y[i]), d = bf16_widen(dy[i]);
    uint16_t neg = bf16_round(d * bf16_widen(bf16_round(yv + sa)));
    uint16_t pos = bf16_round(d * s);
    out[i] = yv < 0.0f ? neg : pos;
  }
}

// f16_negative is all ones where h is a negative half (−inf included, −0 and NaNs not),
// else zero: the float comparison h < 0, as a mask for the vectorizer.
static inline uint16_t f16_negative(uint16_t h) {
  uint16_t finite_or_inf_nonzero = (uint16_t)((h & 0x7FFFu) - 1u) < 0x7C00u;  // & rather than &&:
  return (uint16_t)(-(uint16_t)((h >> 15) & finite_or_inf_nonzero));        // no branch to vectorize
}

tfrun_vectorized void tfrun_elu_grad_f16(int64_t n, const uint16_t* restrict dy,
                                         const uint16_t* restrict y, uint16_t* restrict out) {
  for (int64_t i = 0; i < n; i++) {
    uint16_t scaled = f16_round(f16_widen(f16_round(f16_widen(y[i]) + 1.0f)) * f16_widen(dy[i]));
    uint16_t neg = f16_negative(y[i]);
    out[i] = (uint16_t)((scaled & neg) | (dy[i] & ~neg));
  }
}

tfrun_vectorized void tfrun_selu_grad_f16(int64_t n, const uint16_t* restrict dy,
                                          const uint16_t* restrict y, uint16_t scale,
                                          uint16_t scale_alpha, uint16_t* restrict out) {
  const float s = f16_widen(scale), sa = f16_widen(scale_alpha);
  for (int64_t i = 0; i < n; i++) {
    float d = f16_widen(dy[i]);
    uint16_t negv = f16_round(d * f16_widen(f16_round(f16_widen(y[i]) + sa)));
    uint16_t posv = f16_round(d * s);
    uint16_t neg = f16_negative(y[i]);
    out[i] = (uint16_t)((negv & neg) | (posv & ~neg));
  }
}

// Declarations shared by the C files of tfrun's dropout mask kernel.

#ifndef TFRUN_DROPOUTKERNEL_MASK_H_
#define TFRUN_DROPOUTKERNEL_MASK_H_

#include <stdint.h>

#include "kernel_api.h"

// The op name.
#define TFRUN_DROPOUT_MASK "TfrunDropoutMask"

// tfrun_uniform_f32 writes n uniform draws in [0, 1) from Philox-4x32-10 with key and
// counter, TensorFlow's StatelessRandomUniformV2 (float32) values: draw i is word i % 4 of
// the block at counter + i / 4, its low 23 bits as the mantissa of a float in [1, 2),
// minus 1. key is the uint64 key's two 32-bit halves, low first; counter the uint64[2]
// counter's four, lowest first.
void tfrun_uniform_f32(int64_t n, const uint32_t key[2], const uint32_t counter[4], float* out);

// tfrun_philox_blocks writes the draws of Philox blocks [from, to) after the counter
// (lo0, hi0), block b's four at out + 4·b (tfrun_uniform_f32's scalar form).
void tfrun_philox_blocks(uint64_t lo0, uint64_t hi0, uint32_t k0, uint32_t k1, int64_t from, int64_t to,
                         float* out);

// The vector forms tfrun_uniform_f32 can take: the widest the CPU runs, unless forced down.
enum { TFRUN_ISA_SCALAR = 0, TFRUN_ISA_AVX2 = 1, TFRUN_ISA_AVX512 = 2 };

// tfrun_philox_isa is the form tfrun_uniform_f32 takes. tfrun_philox_force_isa makes it
// take level, or the widest the CPU runs if that is narrower, and returns the widest (for
// tests: every form gives the same draws).
int tfrun_philox_isa(void);
int tfrun_philox_force_isa(int level);

// tfrun_mask_f32 and tfrun_mask_bf16 turn n draws u into the mask [u >= rate]·scale in
// place (bf16: u rounded to bfloat16, to nearest even, first; rate and scale are bfloat16
// bits; out holds n bfloat16 values).
void tfrun_mask_f32(int64_t n, float* u, float rate, float scale);
void tfrun_mask_bf16(int64_t n, const float* u, uint16_t rate, uint16_t scale, uint16_t* out);

// The TensorFlow kernel's compute function and the registration; a failure is in status.
void tfrun_dropout_mask_compute(void* kernel, TF_OpKernelContext* ctx);
void tfrun_dropout_register(TF_Status* status);

#endif  // TFRUN_DROPOUTKERNEL_MASK_H_

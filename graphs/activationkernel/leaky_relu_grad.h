// Declarations shared by the C files of tfrun's LeakyReLU gradient kernel.

#ifndef TFRUN_ACTIVATIONKERNEL_LEAKY_RELU_GRAD_H_
#define TFRUN_ACTIVATIONKERNEL_LEAKY_RELU_GRAD_H_

#include <stdint.h>

#include "kernel_api.h"

// The op name.
#define TFRUN_LEAKY_RELU_GRAD "TfrunLeakyReluGrad"

// tfrun_leaky_relu_grad_bf16 and tfrun_leaky_relu_grad_f16 write LeakyReluGrad's n
// backprops: dy where y > 0, else dy·alpha rounded to the type (to nearest even), the
// product taken in float32, as TensorFlow's kernel computes it. All arrays hold the raw
// 16-bit values (bfloat16 or IEEE half); alpha too.
void tfrun_leaky_relu_grad_bf16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t alpha,
                                uint16_t* out);
void tfrun_leaky_relu_grad_f16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t alpha,
                               uint16_t* out);

// The TensorFlow kernel's compute function and the registration; a failure is in status.
void tfrun_leaky_relu_grad_compute(void* kernel, TF_OpKernelContext* ctx);
void tfrun_activation_register(TF_Status* status);

#endif  // TFRUN_ACTIVATIONKERNEL_LEAKY_RELU_GRAD_H_

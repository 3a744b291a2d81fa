// Declarations shared by the C files of tfrun's activation gradient kernels.

#ifndef TFRUN_ACTIVATIONKERNEL_HALF_GRADS_H_
#define TFRUN_ACTIVATIONKERNEL_HALF_GRADS_H_

#include <stdint.h>

#include "kernel_api.h"

// The op names.
#define TFRUN_LEAKY_RELU_GRAD "TfrunLeakyReluGrad"
#define TFRUN_ELU_GRAD "TfrunEluGrad"
#define TFRUN_SELU_GRAD "TfrunSeluGrad"

// tfrun_leaky_relu_grad_bf16 and tfrun_leaky_relu_grad_f16 write LeakyReluGrad's n
// backprops: dy where y > 0, else dy·alpha rounded to the type (to nearest even), the
// product taken in float32, as TensorFlow's kernel computes it. All arrays hold the raw
// 16-bit values (bfloat16 or IEEE half); alpha too.
void tfrun_leaky_relu_grad_bf16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t alpha,
                                uint16_t* out);
void tfrun_leaky_relu_grad_f16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t alpha,
                               uint16_t* out);

// tfrun_elu_grad_* write EluGrad's backprops: (y + 1)·dy where y < 0, else dy, the sum
// and then the product rounded to the type. tfrun_selu_grad_* write SeluGrad's:
// dy·(y + scale_alpha) where y < 0, else dy·scale, each sum and product rounded to the
// type; scale and scale_alpha are values of the type. These are TensorFlow's kernels'
// computations (tensorflow/core/kernels/relu_op_functor.h), a NaN y taking the else branch.
void tfrun_elu_grad_bf16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t* out);
void tfrun_elu_grad_f16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t* out);
void tfrun_selu_grad_bf16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t scale,
                          uint16_t scale_alpha, uint16_t* out);
void tfrun_selu_grad_f16(int64_t n, const uint16_t* dy, const uint16_t* y, uint16_t scale,
                         uint16_t scale_alpha, uint16_t* out);

// The registration of the ops and their kernels; a failure is in status.
void tfrun_activation_register(TF_Status* status);

#endif  // TFRUN_ACTIVATIONKERNEL_HALF_GRADS_H_

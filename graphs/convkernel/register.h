// What register.c and register_input.c share: TensorFlow's op and shape API, and the
// checks of the two ops' attributes.

#ifndef TFRUN_CONVKERNEL_REGISTER_H_
#define TFRUN_CONVKERNEL_REGISTER_H_

#include "input_grad.h"

// TensorFlow 2.18's ops.h declares these as struct tags only (fine in C++, not in C).
typedef struct TF_DimensionHandle TF_DimensionHandle;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;

#include "tensorflow/c/ops.h"
#include "tensorflow/c/tf_status.h"

// tfrun_conv_fail fails the kernel's run with "op: msg" (an invalid argument).
void tfrun_conv_fail(TF_OpKernelContext* ctx, TF_Status* status, const char* op, const char* msg);

// tfrun_conv_attrs are both ops' attributes: the strides and the padding before the
// input, each (height, width), and the most threads to run (0: the process's CPUs).
typedef struct {
  int64_t strides[2], paddings[2];
  int64_t threads;
} tfrun_conv_attrs;

// tfrun_conv_create reads op's attributes at kernel construction (strides and paddings two
// integers each, at least 1 and 0; threads not negative) into a new tfrun_conv_attrs, or
// fails the construction with an error naming op and the attribute and returns NULL.
void* tfrun_conv_create(TF_OpKernelConstruction* ctx, const char* op);

// tfrun_conv_compute_fn computes an op's outputs from its inputs (the caller's tensors),
// failing the run through ctx.
typedef void (*tfrun_conv_compute_fn)(TF_OpKernelContext* ctx, TF_Status* status, const void* attrs,
                                      TF_Tensor** in);

// tfrun_conv_compute fetches the op's inputs (it has inputs of them, at most 4), runs
// compute on them and releases them: the body of each op's compute function.
void tfrun_conv_compute(void* attrs, TF_OpKernelContext* ctx, const char* op, int inputs,
                        tfrun_conv_compute_fn compute);

// tfrun_conv_register_kernels registers op's float32 and bfloat16 CPU kernels, whose
// attributes create reads and whose delete is free.
void tfrun_conv_register_kernels(const char* op, void* (*create)(TF_OpKernelConstruction*),
                                 void (*compute)(void*, TF_OpKernelContext*), TF_Status* status);

// The registrations of each op and its kernels (tfrun_conv_register runs both).
void tfrun_conv_register_filter_grad(TF_Status* status);
void tfrun_conv_register_input_grad(TF_Status* status);

#endif  // TFRUN_CONVKERNEL_REGISTER_H_

// A kernel call's tensors: fetching the inputs, checking their shapes, allocating the
// outputs and reporting a bad input to TensorFlow, shared by the cell kernels.

#ifndef TFRUN_LSTMKERNEL_TENSOR_ARGS_H_
#define TFRUN_LSTMKERNEL_TENSOR_ARGS_H_

#include <stdint.h>

#include "kernel_api.h"
#include "tensorflow/c/tf_status.h"
#include "tensorflow/c/tf_tensor.h"

#define TFRUN_MAX_ARGS 8

// tfrun_args holds one kernel call's inputs and outputs. Every input has the element
// type dtype (the op's attr T: float32 or bfloat16).
typedef struct {
  TF_OpKernelContext* ctx;
  TF_Status* status;
  const char* op;
  int inputs;
  TF_Tensor* in[TFRUN_MAX_ARGS];
  TF_Tensor* out[TFRUN_MAX_ARGS];
  void* in_data[TFRUN_MAX_ARGS];
  void* out_data[TFRUN_MAX_ARGS];
  TF_DataType dtype;
} tfrun_args;

// tfrun_args_get fetches the n inputs of a call of op (named in messages); on a failure (already reported to
// TensorFlow) it returns 0 and a has been released.
int tfrun_args_get(tfrun_args* a, TF_OpKernelContext* ctx, const char* op, int n);
// tfrun_args_done releases the call's tensors (they stay alive in TensorFlow).
void tfrun_args_done(tfrun_args* a);
// tfrun_fail reports a failure of the call to TensorFlow (code TF_INVALID_ARGUMENT unless
// given) and returns 0.
int tfrun_fail(tfrun_args* a, TF_Code code, const char* format, ...);

// The checks return 1 when input i (named name in messages) has the shape wanted, and
// otherwise report the failure and return 0. tfrun_check_gates takes a [batch, 4·units]
// input's batch and units.
int tfrun_check_gates(tfrun_args* a, int i, const char* name, int64_t* batch, int64_t* units);
int tfrun_check_shape(tfrun_args* a, int i, const char* name, int64_t d0, int64_t d1);
int tfrun_check_vector(tfrun_args* a, int i, const char* name, int64_t n);

// tfrun_alloc allocates output i as [d0, d1] (tfrun_alloc_vector: [n]) of the call's type.
int tfrun_alloc(tfrun_args* a, int i, int64_t d0, int64_t d1);
int tfrun_alloc_vector(tfrun_args* a, int i, int64_t n);

// tfrun_scratch allocates n floats of scratch (NULL when out of memory), freed by
// tfrun_scratch_free.
float* tfrun_scratch(int64_t n);
void tfrun_scratch_free(float* p);

#endif  // TFRUN_LSTMKERNEL_TENSOR_ARGS_H_

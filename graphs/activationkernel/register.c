// TfrunLeakyReluGrad's kernel and its registration with TensorFlow's C kernel API
// (tensorflow/c/ops.h and tensorflow/c/kernels.h of TensorFlow 2.18).

#include <stdio.h>
#include <string.h>

#include "leaky_relu_grad.h"

// TensorFlow 2.18's ops.h declares these as struct tags only (fine in C++, not in C).
typedef struct TF_DimensionHandle TF_DimensionHandle;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;

#include "tensorflow/c/ops.h"
#include "tensorflow/c/tf_status.h"

enum { IN_GRADIENTS, IN_OUTPUTS, IN_ALPHA, NUM_INPUTS };

// fail reports a bad call to TensorFlow, the op's name first.
static void fail(TF_OpKernelContext* ctx, TF_Status* status, const char* msg) {
  char full[256];
  snprintf(full, sizeof full, "%s: %s", TFRUN_LEAKY_RELU_GRAD, msg);
  TF_SetStatus(status, TF_INVALID_ARGUMENT, full);
  TF_OpKernelContext_Failure(ctx, status);
}

// same_shape reports whether a and b have the same dimensions.
static int same_shape(TF_Tensor* a, TF_Tensor* b) {
  if (TF_NumDims(a) != TF_NumDims(b)) return 0;
  for (int i = 0; i < TF_NumDims(a); i++) {
    if (TF_Dim(a, i) != TF_Dim(b, i)) return 0;
  }
  return 1;
}

// compute checks the inputs and writes the backprops; the tensors are the caller's to free.
static void compute(TF_OpKernelContext* ctx, TF_Status* status, TF_Tensor** in) {
  TF_Tensor *dy = in[IN_GRADIENTS], *y = in[IN_OUTPUTS], *alpha = in[IN_ALPHA];
  TF_DataType type = TF_TensorType(dy);
  if ((type != TF_BFLOAT16 && type != TF_HALF) || TF_TensorType(y) != type ||
      TF_TensorType(alpha) != type) {
    fail(ctx, status, "gradients, outputs and alpha must be of one type, bfloat16 or float16");
    return;
  }
  if (!same_shape(dy, y)) {
    fail(ctx, status, "gradients and outputs must have the same shape");
    return;
  }
  if (TF_NumDims(dy) > 64) {
    fail(ctx, status, "gradients have more than 64 dimensions");
    return;
  }
  if (TF_TensorElementCount(alpha) != 1) {
    fail(ctx, status, "alpha must be a scalar");
    return;
  }
  int rank = TF_NumDims(dy);
  int64_t dims[64];
  for (int i = 0; i < rank; i++) dims[i] = TF_Dim(dy, i);
  int64_t n = TF_TensorElementCount(dy);
  TF_Tensor* out = TF_AllocateOutput(ctx, 0, type, dims, rank, (size_t)n * sizeof(uint16_t), status);
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, status);
    return;
  }
  const uint16_t a = *(const uint16_t*)TF_TensorData(alpha);
  if (type == TF_BFLOAT16) {
    tfrun_leaky_relu_grad_bf16(n, TF_TensorData(dy), TF_TensorData(y), a, TF_TensorData(out));
  } else {
    tfrun_leaky_relu_grad_f16(n, TF_TensorData(dy), TF_TensorData(y), a, TF_TensorData(out));
  }
  TF_DeleteTensor(out);
}

void tfrun_leaky_relu_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[NUM_INPUTS] = {0};
  int ok = 1;
  for (int i = 0; i < NUM_INPUTS && ok; i++) {
    TF_GetInput(ctx, i, &in[i], status);
    if (TF_GetCode(status) != TF_OK) {
      TF_OpKernelContext_Failure(ctx, status);
      ok = 0;
    }
  }
  if (ok) compute(ctx, status, in);
  for (int i = 0; i < NUM_INPUTS; i++) {
    if (in[i] != NULL) TF_DeleteTensor(in[i]);
  }
  TF_DeleteStatus(status);
}

// The backprops have the gradients' shape.
static void grad_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* shape = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, IN_GRADIENTS, shape, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, shape, status);
  TF_DeleteShapeHandle(shape);
}

static int kernel_token;
static void* create_kernel(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return &kernel_token;
}
static void delete_kernel(void* kernel) { (void)kernel; }

static void add_kernel(const char* kernel_name, TF_DataType type, TF_Status* status) {
  TF_KernelBuilder* k = TF_NewKernelBuilder(TFRUN_LEAKY_RELU_GRAD, "CPU", create_kernel,
                                            tfrun_leaky_relu_grad_compute, delete_kernel);
  TF_KernelBuilder_TypeConstraint(k, "T", type, status);
  if (TF_GetCode(status) != TF_OK) {
    TF_DeleteKernelBuilder(k);
    return;
  }
  TF_RegisterKernelBuilder(kernel_name, k, status);  // takes k
}

void tfrun_activation_register(TF_Status* status) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(TFRUN_LEAKY_RELU_GRAD);
  TF_OpDefinitionBuilderAddAttr(b, "T: {bfloat16, half}");
  TF_OpDefinitionBuilderAddInput(b, "gradients: T");
  TF_OpDefinitionBuilderAddInput(b, "outputs: T");
  TF_OpDefinitionBuilderAddInput(b, "alpha: T");
  TF_OpDefinitionBuilderAddOutput(b, "backprops: T");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, grad_shape);
  TF_RegisterOpDefinition(b, status);  // takes b
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel("TfrunLeakyReluGrad_CPU_bfloat16", TF_BFLOAT16, status);
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel("TfrunLeakyReluGrad_CPU_half", TF_HALF, status);
}

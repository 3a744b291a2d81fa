// TfrunDropoutMask's kernel and its registration with TensorFlow's C kernel API
// (tensorflow/c/ops.h and tensorflow/c/kernels.h of TensorFlow 2.18).

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mask.h"

// TensorFlow 2.18's ops.h declares these as struct tags only (fine in C++, not in C).
typedef struct TF_DimensionHandle TF_DimensionHandle;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;

#include "tensorflow/c/ops.h"
#include "tensorflow/c/tf_status.h"

enum { IN_SHAPE, IN_KEY, IN_COUNTER, IN_RATE, IN_SCALE, NUM_INPUTS };

// The draws are made and turned into the mask CHUNK at a time (a multiple of 4, a whole
// number of Philox blocks), while they are in cache.
enum { CHUNK = 4096 };

// fail reports a bad call to TensorFlow, the op's name first; it returns 0.
static int fail(TF_OpKernelContext* ctx, TF_Status* status, const char* format, ...) {
  char msg[256];
  int n = snprintf(msg, sizeof msg, "%s: ", TFRUN_DROPOUT_MASK);
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg + n, sizeof msg - (size_t)n, format, ap);
  va_end(ap);
  TF_SetStatus(status, TF_INVALID_ARGUMENT, msg);
  TF_OpKernelContext_Failure(ctx, status);
  return 0;
}

// words copies a uint64 tensor of want elements into 32-bit words, low half first (how
// TensorFlow reads a Philox key and counter).
static int words(TF_OpKernelContext* ctx, TF_Status* status, TF_Tensor* t, const char* name,
                 int64_t want, uint32_t* out) {
  if (TF_TensorType(t) != TF_UINT64 || TF_TensorElementCount(t) != want) {
    return fail(ctx, status, "%s must be %lld uint64 values, got %lld of type %d", name,
                (long long)want, (long long)TF_TensorElementCount(t), (int)TF_TensorType(t));
  }
  const uint64_t* v = TF_TensorData(t);
  for (int64_t i = 0; i < want; i++) {
    out[2 * i] = (uint32_t)v[i];
    out[2 * i + 1] = (uint32_t)(v[i] >> 32);
  }
  return 1;
}

// compute checks the inputs and writes the mask; the tensors are the caller's to free.
static void compute(TF_OpKernelContext* ctx, TF_Status* status, TF_Tensor** in) {
  TF_Tensor* shape = in[IN_SHAPE];
  if (TF_TensorType(shape) != TF_INT32 || TF_NumDims(shape) != 1) {
    fail(ctx, status, "shape must be an int32 vector");
    return;
  }
  const int32_t* dims = TF_TensorData(shape);
  int64_t n = 1;
  for (int64_t i = 0; i < TF_Dim(shape, 0); i++) {
    if (dims[i] < 0) {
      fail(ctx, status, "shape[%lld] is %d, a negative size", (long long)i, dims[i]);
      return;
    }
    n *= dims[i];
  }
  uint32_t key[2], counter[4];
  if (!words(ctx, status, in[IN_KEY], "key", 1, key) ||
      !words(ctx, status, in[IN_COUNTER], "counter", 2, counter)) {
    return;
  }
  TF_DataType type = TF_TensorType(in[IN_RATE]);
  if ((type != TF_FLOAT && type != TF_BFLOAT16) || TF_TensorType(in[IN_SCALE]) != type ||
      TF_TensorElementCount(in[IN_RATE]) != 1 || TF_TensorElementCount(in[IN_SCALE]) != 1) {
    fail(ctx, status, "rate and scale must be scalars of the mask's type (float32 or bfloat16)");
    return;
  }
  size_t size = type == TF_FLOAT ? sizeof(float) : sizeof(uint16_t);
  TF_Tensor* out = TF_AllocateOutput(ctx, 0, type, &n, 1, (size_t)n * size, status);
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, status);
    return;
  }
  const uint64_t lo0 = (uint64_t)counter[0] | (uint64_t)counter[1] << 32;
  const uint64_t hi0 = (uint64_t)counter[2] | (uint64_t)counter[3] << 32;
  float buf[CHUNK];
  for (int64_t at = 0; at < n; at += CHUNK) {
    int64_t m = n - at < CHUNK ? n - at : CHUNK;
    uint64_t lo = lo0 + (uint64_t)(at / 4), hi = hi0 + (lo < lo0);  // the chunk's first block
    uint32_t c[4] = {(uint32_t)lo, (uint32_t)(lo >> 32), (uint32_t)hi, (uint32_t)(hi >> 32)};
    if (type == TF_FLOAT) {
      float* u = (float*)TF_TensorData(out) + at;
      tfrun_uniform_f32(m, key, c, u);
      tfrun_mask_f32(m, u, *(const float*)TF_TensorData(in[IN_RATE]),
                     *(const float*)TF_TensorData(in[IN_SCALE]));
    } else {
      tfrun_uniform_f32(m, key, c, buf);
      tfrun_mask_bf16(m, buf, *(const uint16_t*)TF_TensorData(in[IN_RATE]),
                      *(const uint16_t*)TF_TensorData(in[IN_SCALE]), (uint16_t*)TF_TensorData(out) + at);
    }
  }
  TF_DeleteTensor(out);
}

void tfrun_dropout_mask_compute(void* kernel, TF_OpKernelContext* ctx) {
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

// The mask's length is the product of shape's values, unknown when the graph is built:
// the caller reshapes it.
static void mask_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeInferenceContextSetUnknownShape(ctx, status);
}

static int kernel_token;
static void* create_kernel(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return &kernel_token;
}
static void delete_kernel(void* kernel) { (void)kernel; }

static void add_kernel(const char* kernel_name, TF_DataType type, TF_Status* status) {
  TF_KernelBuilder* k = TF_NewKernelBuilder(TFRUN_DROPOUT_MASK, "CPU", create_kernel,
                                            tfrun_dropout_mask_compute, delete_kernel);
  TF_KernelBuilder_TypeConstraint(k, "T", type, status);
  if (TF_GetCode(status) != TF_OK) {
    TF_DeleteKernelBuilder(k);
    return;
  }
  TF_RegisterKernelBuilder(kernel_name, k, status);  // takes k
}

void tfrun_dropout_register(TF_Status* status) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(TFRUN_DROPOUT_MASK);
  TF_OpDefinitionBuilderAddAttr(b, "T: {float, bfloat16}");
  TF_OpDefinitionBuilderAddInput(b, "shape: int32");
  TF_OpDefinitionBuilderAddInput(b, "key: uint64");
  TF_OpDefinitionBuilderAddInput(b, "counter: uint64");
  TF_OpDefinitionBuilderAddInput(b, "rate: T");
  TF_OpDefinitionBuilderAddInput(b, "scale: T");
  TF_OpDefinitionBuilderAddOutput(b, "mask: T");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, mask_shape);
  TF_RegisterOpDefinition(b, status);  // takes b
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel("TfrunDropoutMask_CPU_float", TF_FLOAT, status);
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel("TfrunDropoutMask_CPU_bfloat16", TF_BFLOAT16, status);
}

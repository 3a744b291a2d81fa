// The kernel of TfrunConv2DBackpropFilter and its registration with TensorFlow's C kernel
// API (tensorflow/c/ops.h and tensorflow/c/kernels.h of TensorFlow 2.18), and the
// registration of both ops (register_input.c has TfrunConv2DBackpropInput's).

#include <stdio.h>
#include <stdlib.h>

#include "register.h"

// The inputs: the forward conv's input, its filter (for the shape only) and the gradient of
// its output.
enum { IN_INPUT, IN_FILTER, IN_OUT_BACKPROP, INPUTS };

void tfrun_conv_fail(TF_OpKernelContext* ctx, TF_Status* status, const char* op, const char* msg) {
  char full[320];
  snprintf(full, sizeof full, "%s: %s", op, msg);
  TF_SetStatus(status, TF_INVALID_ARGUMENT, full);
  TF_OpKernelContext_Failure(ctx, status);
}

static void fail(TF_OpKernelContext* ctx, TF_Status* status, const char* msg) {
  tfrun_conv_fail(ctx, status, TFRUN_CONV2D_BACKPROP_FILTER, msg);
}

// pair_attr reads the list attribute name, which must hold two integers at least min.
static int pair_attr(TF_OpKernelConstruction* ctx, TF_Status* status, const char* op, const char* name, int64_t min,
                     int64_t out[2]) {
  int32_t size = 0, total = 0;
  TF_OpKernelConstruction_GetAttrSize(ctx, name, &size, &total, status);
  if (TF_GetCode(status) == TF_OK && size != 2) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: attribute %s has %d values, not 2 (height, width)", op, name, (int)size);
    TF_SetStatus(status, TF_INVALID_ARGUMENT, msg);
  }
  if (TF_GetCode(status) == TF_OK) TF_OpKernelConstruction_GetAttrInt64List(ctx, name, out, 2, status);
  if (TF_GetCode(status) == TF_OK && (out[0] < min || out[1] < min)) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: attribute %s is [%lld, %lld]; each must be at least %lld", op, name,
             (long long)out[0], (long long)out[1], (long long)min);
    TF_SetStatus(status, TF_INVALID_ARGUMENT, msg);
  }
  return TF_GetCode(status) == TF_OK;
}

// threads_attr reads threads, which must not be negative.
static int threads_attr(TF_OpKernelConstruction* ctx, TF_Status* status, const char* op, int64_t* threads) {
  TF_OpKernelConstruction_GetAttrInt64(ctx, "threads", threads, status);
  if (TF_GetCode(status) == TF_OK && *threads < 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: attribute threads is negative", op);
    TF_SetStatus(status, TF_INVALID_ARGUMENT, msg);
  }
  return TF_GetCode(status) == TF_OK;
}

void* tfrun_conv_create(TF_OpKernelConstruction* ctx, const char* op) {
  TF_Status* status = TF_NewStatus();
  tfrun_conv_attrs* a = calloc(1, sizeof *a);
  if (a == NULL) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: out of memory", op);
    TF_SetStatus(status, TF_RESOURCE_EXHAUSTED, msg);
  } else if (pair_attr(ctx, status, op, "strides", 1, a->strides) &&
             pair_attr(ctx, status, op, "paddings", 0, a->paddings)) {
    threads_attr(ctx, status, op, &a->threads);
  }
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelConstruction_Failure(ctx, status);
    free(a);
    a = NULL;
  }
  TF_DeleteStatus(status);
  return a;
}

static void* create_kernel(TF_OpKernelConstruction* ctx) { return tfrun_conv_create(ctx, TFRUN_CONV2D_BACKPROP_FILTER); }

// compute checks the inputs and writes the filter gradient; the tensors are the caller's.
static void compute(TF_OpKernelContext* ctx, TF_Status* status, const void* kernel, TF_Tensor** in) {
  const tfrun_conv_attrs* a = kernel;
  TF_Tensor *x = in[IN_INPUT], *f = in[IN_FILTER], *dy = in[IN_OUT_BACKPROP];
  if (TF_NumDims(x) != 4 || TF_NumDims(f) != 4 || TF_NumDims(dy) != 4) {
    fail(ctx, status, "input, filter and out_backprop must have 4 dimensions (NHWC; filter HWIO)");
    return;
  }
  tfrun_conv_geometry g = {
      .n = TF_Dim(x, 0), .h = TF_Dim(x, 1), .w = TF_Dim(x, 2), .ci = TF_Dim(x, 3),
      .oh = TF_Dim(dy, 1), .ow = TF_Dim(dy, 2), .co = TF_Dim(dy, 3),
      .kh = TF_Dim(f, 0), .kw = TF_Dim(f, 1),
      .stride_h = a->strides[0], .stride_w = a->strides[1],
      .pad_top = a->paddings[0], .pad_left = a->paddings[1],
  };
  char msg[256];
  if (TF_Dim(dy, 0) != g.n) {
    snprintf(msg, sizeof msg, "input has batch %lld, out_backprop %lld", (long long)g.n, (long long)TF_Dim(dy, 0));
    fail(ctx, status, msg);
    return;
  }
  if (TF_Dim(f, 2) != g.ci || TF_Dim(f, 3) != g.co) {
    snprintf(msg, sizeof msg, "filter is [%lld, %lld, %lld, %lld]: its channels must be input's %lld and out_backprop's %lld",
             (long long)g.kh, (long long)g.kw, (long long)TF_Dim(f, 2), (long long)TF_Dim(f, 3), (long long)g.ci,
             (long long)g.co);
    fail(ctx, status, msg);
    return;
  }
  if (g.co % 16 != 0) {
    snprintf(msg, sizeof msg, "out_backprop has %lld channels, not a multiple of 16", (long long)g.co);
    fail(ctx, status, msg);
    return;
  }
  TF_DataType type = TF_TensorType(x);
  if (TF_TensorType(f) != type || TF_TensorType(dy) != type || (type != TF_FLOAT && type != TF_BFLOAT16)) {
    fail(ctx, status, "input, filter and out_backprop must be of one type, float32 or bfloat16");
    return;
  }
  int bf16 = type == TF_BFLOAT16;
  if (!(bf16 ? tfrun_conv_filter_grad_bf16_supported() : tfrun_conv_filter_grad_supported())) {
    fail(ctx, status, bf16 ? "this CPU has no AVX512_BF16 (with AVX-512F and BW)" : "this CPU has neither AVX-512F nor AVX2 with FMA");
    return;
  }
  int64_t dims[4] = {g.kh, g.kw, g.ci, g.co};
  size_t size = bf16 ? sizeof(uint16_t) : sizeof(float);
  TF_Tensor* out = TF_AllocateOutput(ctx, 0, type, dims, 4, (size_t)(g.kh * g.kw * g.ci * g.co) * size, status);
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, status);
    return;
  }
  int threads = (int)(a->threads < 64 ? a->threads : 64);
  int failed = bf16 ? tfrun_conv_filter_grad_bf16(&g, TF_TensorData(x), TF_TensorData(dy), TF_TensorData(out), threads)
                    : tfrun_conv_filter_grad_f32(&g, TF_TensorData(x), TF_TensorData(dy), TF_TensorData(out), threads);
  if (failed) {
    TF_SetStatus(status, TF_RESOURCE_EXHAUSTED, TFRUN_CONV2D_BACKPROP_FILTER ": out of memory for its buffers");
    TF_OpKernelContext_Failure(ctx, status);
  }
  TF_DeleteTensor(out);
}

void tfrun_conv_compute(void* attrs, TF_OpKernelContext* ctx, const char* op, int inputs,
                        tfrun_conv_compute_fn compute) {
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[4] = {0};
  int ok = inputs <= 4;
  if (!ok || TF_NumInputs(ctx) != inputs) {
    tfrun_conv_fail(ctx, status, op, "wrong number of inputs");
    ok = 0;
  }
  for (int i = 0; i < inputs && ok; i++) {
    TF_GetInput(ctx, i, &in[i], status);
    if (TF_GetCode(status) != TF_OK) {
      TF_OpKernelContext_Failure(ctx, status);
      ok = 0;
    }
  }
  if (ok) compute(ctx, status, attrs, in);
  for (int i = 0; i < 4; i++) {
    if (in[i] != NULL) TF_DeleteTensor(in[i]);
  }
  TF_DeleteStatus(status);
}

static void delete_kernel(void* attrs) { free(attrs); }

void tfrun_conv_register_kernels(const char* op, void* (*create)(TF_OpKernelConstruction*),
                                 void (*compute)(void*, TF_OpKernelContext*), TF_Status* status) {
  const TF_DataType types[] = {TF_FLOAT, TF_BFLOAT16};
  const char* suffixes[] = {"_CPU_float", "_CPU_bfloat16"};
  for (int i = 0; i < 2 && TF_GetCode(status) == TF_OK; i++) {
    char name[128];
    snprintf(name, sizeof name, "%s%s", op, suffixes[i]);
    TF_KernelBuilder* k = TF_NewKernelBuilder(op, "CPU", create, compute, delete_kernel);
    TF_KernelBuilder_TypeConstraint(k, "T", types[i], status);
    if (TF_GetCode(status) != TF_OK) {
      TF_DeleteKernelBuilder(k);
      return;
    }
    TF_RegisterKernelBuilder(name, k, status);  // takes k
  }
}

static void compute_kernel(void* attrs, TF_OpKernelContext* ctx) {
  tfrun_conv_compute(attrs, ctx, TFRUN_CONV2D_BACKPROP_FILTER, INPUTS, compute);
}

// The gradient has the filter's shape.
static void filter_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* shape = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, IN_FILTER, shape, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, shape, status);
  TF_DeleteShapeHandle(shape);
}

void tfrun_conv_register(TF_Status* status) {
  tfrun_conv_register_filter_grad(status);
  if (TF_GetCode(status) == TF_OK) tfrun_conv_register_input_grad(status);
}

void tfrun_conv_register_filter_grad(TF_Status* status) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(TFRUN_CONV2D_BACKPROP_FILTER);
  TF_OpDefinitionBuilderAddAttr(b, "T: {float, bfloat16}");
  TF_OpDefinitionBuilderAddAttr(b, "strides: list(int)");
  TF_OpDefinitionBuilderAddAttr(b, "paddings: list(int)");
  TF_OpDefinitionBuilderAddAttr(b, "threads: int = 0");
  TF_OpDefinitionBuilderAddInput(b, "input: T");
  TF_OpDefinitionBuilderAddInput(b, "filter: T");
  TF_OpDefinitionBuilderAddInput(b, "out_backprop: T");
  TF_OpDefinitionBuilderAddOutput(b, "filter_backprop: T");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, filter_shape);
  TF_RegisterOpDefinition(b, status);  // takes b
  if (TF_GetCode(status) == TF_OK) tfrun_conv_register_kernels(TFRUN_CONV2D_BACKPROP_FILTER, create_kernel, compute_kernel, status);
}

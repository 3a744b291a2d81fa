// The kernel of TfrunConv2DBackpropInput and its registration with TensorFlow's C kernel
// API: TensorFlow's Conv2DBackpropInput for NHWC tensors, dilation 1, with few input
// channels (input_grad.c). The input's height and width are the shape of an empty tensor,
// [0, height, width, 0], rather than the values of one: a shape function reads shapes but
// (through the C API) neither tensors' values nor integer attributes, and so the gradient
// has its static shape.

#include <stdio.h>
#include <stdlib.h>

#include "register.h"

// The largest input height and width the kernel takes (sizes stay far from int64's
// limits).
#define MAX_SIDE ((int64_t)1 << 20)

// The inputs: an empty tensor of shape [0, the input's height and width, 0], the forward
// conv's filter and the gradient of its output.
enum { IN_INPUT_SHAPE, IN_FILTER, IN_OUT_BACKPROP, INPUTS };

static void fail(TF_OpKernelContext* ctx, TF_Status* status, const char* msg) {
  tfrun_conv_fail(ctx, status, TFRUN_CONV2D_BACKPROP_INPUT, msg);
}

static void* create_kernel(TF_OpKernelConstruction* ctx) { return tfrun_conv_create(ctx, TFRUN_CONV2D_BACKPROP_INPUT); }

// compute checks the inputs and writes the input gradient; the tensors are the caller's.
static void compute(TF_OpKernelContext* ctx, TF_Status* status, const void* kernel, TF_Tensor** in) {
  const tfrun_conv_attrs* a = kernel;
  TF_Tensor *like = in[IN_INPUT_SHAPE], *f = in[IN_FILTER], *dy = in[IN_OUT_BACKPROP];
  if (TF_NumDims(like) != 4 || TF_NumDims(f) != 4 || TF_NumDims(dy) != 4) {
    fail(ctx, status, "input_shape, filter and out_backprop must have 4 dimensions (NHWC; filter HWIO)");
    return;
  }
  char msg[256];
  if (TF_Dim(like, 1) < 1 || TF_Dim(like, 2) < 1 || TF_Dim(like, 1) > MAX_SIDE || TF_Dim(like, 2) > MAX_SIDE) {
    snprintf(msg, sizeof msg, "input_shape is [%lld, %lld, %lld, %lld]: the input's height and width must be 1 to %lld",
             (long long)TF_Dim(like, 0), (long long)TF_Dim(like, 1), (long long)TF_Dim(like, 2),
             (long long)TF_Dim(like, 3), (long long)MAX_SIDE);
    fail(ctx, status, msg);
    return;
  }
  tfrun_conv_geometry g = {
      .n = TF_Dim(dy, 0), .h = TF_Dim(like, 1), .w = TF_Dim(like, 2), .ci = TF_Dim(f, 2),
      .oh = TF_Dim(dy, 1), .ow = TF_Dim(dy, 2), .co = TF_Dim(dy, 3),
      .kh = TF_Dim(f, 0), .kw = TF_Dim(f, 1),
      .stride_h = a->strides[0], .stride_w = a->strides[1],
      .pad_top = a->paddings[0], .pad_left = a->paddings[1],
  };
  if (TF_Dim(f, 3) != g.co) {
    snprintf(msg, sizeof msg, "filter is [%lld, %lld, %lld, %lld]: its output channels must be out_backprop's %lld",
             (long long)g.kh, (long long)g.kw, (long long)g.ci, (long long)TF_Dim(f, 3), (long long)g.co);
    fail(ctx, status, msg);
    return;
  }
  if (g.co % 16 != 0) {
    snprintf(msg, sizeof msg, "out_backprop has %lld channels, not a multiple of 16", (long long)g.co);
    fail(ctx, status, msg);
    return;
  }
  // Each of out_backprop's rows and columns must be a position of the forward convolution:
  // its filter window starts before the input ends and ends after it starts.
  if (g.pad_top >= g.kh || g.pad_left >= g.kw || (g.oh - 1) * g.stride_h - g.pad_top >= g.h ||
      (g.ow - 1) * g.stride_w - g.pad_left >= g.w) {
    snprintf(msg, sizeof msg,
             "out_backprop is %lld × %lld: not the output of a %lld × %lld convolution of a %lld × %lld input at "
             "strides [%lld, %lld] and paddings [%lld, %lld]",
             (long long)g.oh, (long long)g.ow, (long long)g.kh, (long long)g.kw, (long long)g.h, (long long)g.w,
             (long long)g.stride_h, (long long)g.stride_w, (long long)g.pad_top, (long long)g.pad_left);
    fail(ctx, status, msg);
    return;
  }
  TF_DataType type = TF_TensorType(dy);
  if (TF_TensorType(f) != type || (type != TF_FLOAT && type != TF_BFLOAT16)) {
    fail(ctx, status, "filter and out_backprop must be of one type, float32 or bfloat16");
    return;
  }
  int bf16 = type == TF_BFLOAT16;
  if (!(bf16 ? tfrun_conv_input_grad_bf16_supported() : tfrun_conv_input_grad_supported())) {
    fail(ctx, status, bf16 ? "this CPU has no AVX512_BF16 (with AVX-512F and BW)" : "this CPU has no AVX-512F");
    return;
  }
  int64_t dims[4] = {g.n, g.h, g.w, g.ci};
  size_t size = bf16 ? sizeof(uint16_t) : sizeof(float);
  TF_Tensor* out = TF_AllocateOutput(ctx, 0, type, dims, 4, (size_t)(g.n * g.h * g.w * g.ci) * size, status);
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, status);
    return;
  }
  int threads = (int)(a->threads < 64 ? a->threads : 64);
  int failed = bf16 ? tfrun_conv_input_grad_bf16(&g, TF_TensorData(f), TF_TensorData(dy), TF_TensorData(out), threads)
                    : tfrun_conv_input_grad_f32(&g, TF_TensorData(f), TF_TensorData(dy), TF_TensorData(out), threads);
  if (failed) {
    TF_SetStatus(status, TF_RESOURCE_EXHAUSTED, TFRUN_CONV2D_BACKPROP_INPUT ": out of memory for its buffers");
    TF_OpKernelContext_Failure(ctx, status);
  }
  TF_DeleteTensor(out);
}

static void compute_kernel(void* attrs, TF_OpKernelContext* ctx) {
  tfrun_conv_compute(attrs, ctx, TFRUN_CONV2D_BACKPROP_INPUT, INPUTS, compute);
}

// The gradient's shape: [out_backprop's batch, input_shape's height and width, filter's
// input channels].
static void input_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle *like = TF_NewShapeHandle(), *f = TF_NewShapeHandle(), *dy = TF_NewShapeHandle();
  TF_ShapeHandle *batch = TF_NewShapeHandle(), *spatial = TF_NewShapeHandle(), *channels = TF_NewShapeHandle();
  TF_ShapeHandle *front = TF_NewShapeHandle(), *out = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, IN_INPUT_SHAPE, like, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextGetInput(ctx, IN_FILTER, f, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextGetInput(ctx, IN_OUT_BACKPROP, dy, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextWithRank(ctx, like, 4, like, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextWithRank(ctx, f, 4, f, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextWithRank(ctx, dy, 4, dy, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSubshape(ctx, dy, 0, 1, batch, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSubshape(ctx, like, 1, 3, spatial, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSubshape(ctx, f, 2, 3, channels, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextConcatenateShapes(ctx, batch, spatial, front, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextConcatenateShapes(ctx, front, channels, out, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, out, status);
  TF_ShapeHandle* handles[] = {like, f, dy, batch, spatial, channels, front, out};
  for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++) TF_DeleteShapeHandle(handles[i]);
}

void tfrun_conv_register_input_grad(TF_Status* status) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(TFRUN_CONV2D_BACKPROP_INPUT);
  TF_OpDefinitionBuilderAddAttr(b, "T: {float, bfloat16}");
  TF_OpDefinitionBuilderAddAttr(b, "strides: list(int)");
  TF_OpDefinitionBuilderAddAttr(b, "paddings: list(int)");
  TF_OpDefinitionBuilderAddAttr(b, "threads: int = 0");
  TF_OpDefinitionBuilderAddInput(b, "input_shape: T");
  TF_OpDefinitionBuilderAddInput(b, "filter: T");
  TF_OpDefinitionBuilderAddInput(b, "out_backprop: T");
  TF_OpDefinitionBuilderAddOutput(b, "input_backprop: T");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, input_shape);
  TF_RegisterOpDefinition(b, status);  // takes b
  if (TF_GetCode(status) == TF_OK) tfrun_conv_register_kernels(TFRUN_CONV2D_BACKPROP_INPUT, create_kernel, compute_kernel, status);
}

// The kernels of TfrunLeakyReluGrad, TfrunEluGrad and TfrunSeluGrad and their
// registration with TensorFlow's C kernel API (tensorflow/c/ops.h and
// tensorflow/c/kernels.h of TensorFlow 2.18).

#include <stdio.h>
#include <string.h>

#include "half_grads.h"

// TensorFlow 2.18's ops.h declares these as struct tags only (fine in C++, not in C).
typedef struct TF_DimensionHandle TF_DimensionHandle;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;

#include "tensorflow/c/ops.h"
#include "tensorflow/c/tf_status.h"

// The inputs: gradients and outputs, then the op's scalars (LeakyReLU's alpha; SELU's
// scale and scale_alpha).
enum { IN_GRADIENTS, IN_OUTPUTS, IN_SCALAR, MAX_INPUTS = 4 };

// An op: its name, its number of scalar inputs and their names for messages.
typedef struct {
  const char* name;
  int scalars;
  const char* scalar_names;
} op_kind;

static const op_kind kLeakyRelu = {TFRUN_LEAKY_RELU_GRAD, 1, "alpha"};
static const op_kind kElu = {TFRUN_ELU_GRAD, 0, ""};
static const op_kind kSelu = {TFRUN_SELU_GRAD, 2, "scale and scale_alpha"};

// fail reports a bad call to TensorFlow, the op's name first.
static void fail(TF_OpKernelContext* ctx, TF_Status* status, const op_kind* kind, const char* msg) {
  char full[256];
  snprintf(full, sizeof full, "%s: %s", kind->name, msg);
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
static void compute(TF_OpKernelContext* ctx, TF_Status* status, const op_kind* kind, TF_Tensor** in) {
  TF_Tensor *dy = in[IN_GRADIENTS], *y = in[IN_OUTPUTS];
  TF_DataType type = TF_TensorType(dy);
  int same_types = TF_TensorType(y) == type;
  for (int i = 0; i < kind->scalars; i++) same_types = same_types && TF_TensorType(in[IN_SCALAR + i]) == type;
  if ((type != TF_BFLOAT16 && type != TF_HALF) || !same_types) {
    fail(ctx, status, kind, "all inputs must be of one type, bfloat16 or float16");
    return;
  }
  if (!same_shape(dy, y)) {
    fail(ctx, status, kind, "gradients and outputs must have the same shape");
    return;
  }
  if (TF_NumDims(dy) > 64) {
    fail(ctx, status, kind, "gradients have more than 64 dimensions");
    return;
  }
  uint16_t scalar[2] = {0, 0};
  for (int i = 0; i < kind->scalars; i++) {
    if (TF_TensorElementCount(in[IN_SCALAR + i]) != 1) {
      char msg[128];
      snprintf(msg, sizeof msg, "%s must be scalars", kind->scalar_names);
      if (kind->scalars == 1) snprintf(msg, sizeof msg, "%s must be a scalar", kind->scalar_names);
      fail(ctx, status, kind, msg);
      return;
    }
    scalar[i] = *(const uint16_t*)TF_TensorData(in[IN_SCALAR + i]);
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
  const uint16_t *g = TF_TensorData(dy), *o = TF_TensorData(y);
  uint16_t* b = TF_TensorData(out);
  int bf16 = type == TF_BFLOAT16;
  if (kind == &kLeakyRelu) {
    (bf16 ? tfrun_leaky_relu_grad_bf16 : tfrun_leaky_relu_grad_f16)(n, g, o, scalar[0], b);
  } else if (kind == &kElu) {
    (bf16 ? tfrun_elu_grad_bf16 : tfrun_elu_grad_f16)(n, g, o, b);
  } else {
    (bf16 ? tfrun_selu_grad_bf16 : tfrun_selu_grad_f16)(n, g, o, scalar[0], scalar[1], b);
  }
  TF_DeleteTensor(out);
}

// compute_kernel is every op's compute function; kernel is its op_kind.
static void compute_kernel(void* kernel, TF_OpKernelContext* ctx) {
  const op_kind* kind = kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[MAX_INPUTS] = {0};
  int inputs = 2 + kind->scalars, ok = 1;
  if (TF_NumInputs(ctx) != inputs) {
    fail(ctx, status, kind, "wrong number of inputs");
    ok = 0;
  }
  for (int i = 0; i < inputs && ok; i++) {
    TF_GetInput(ctx, i, &in[i], status);
    if (TF_GetCode(status) != TF_OK) {
      TF_OpKernelContext_Failure(ctx, status);
      ok = 0;
    }
  }
  if (ok) compute(ctx, status, kind, in);
  for (int i = 0; i < MAX_INPUTS; i++) {
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

static void* create_leaky_relu(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return (void*)&kLeakyRelu;
}
static void* create_elu(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return (void*)&kElu;
}
static void* create_selu(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return (void*)&kSelu;
}
static void delete_kernel(void* kernel) { (void)kernel; }

// add_op registers kind's op (gradients, outputs, then its scalars, all of type T) and its
// CPU kernels for bfloat16 and float16.
static void add_op(const op_kind* kind, void* (*create)(TF_OpKernelConstruction*), const char* scalar_inputs[],
                   TF_Status* status) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(kind->name);
  TF_OpDefinitionBuilderAddAttr(b, "T: {bfloat16, half}");
  TF_OpDefinitionBuilderAddInput(b, "gradients: T");
  TF_OpDefinitionBuilderAddInput(b, "outputs: T");
  for (int i = 0; i < kind->scalars; i++) TF_OpDefinitionBuilderAddInput(b, scalar_inputs[i]);
  TF_OpDefinitionBuilderAddOutput(b, "backprops: T");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, grad_shape);
  TF_RegisterOpDefinition(b, status);  // takes b
  const TF_DataType types[] = {TF_BFLOAT16, TF_HALF};
  const char* type_names[] = {"bfloat16", "half"};
  for (int i = 0; i < 2 && TF_GetCode(status) == TF_OK; i++) {
    char kernel_name[128];
    snprintf(kernel_name, sizeof kernel_name, "%s_CPU_%s", kind->name, type_names[i]);
    TF_KernelBuilder* k = TF_NewKernelBuilder(kind->name, "CPU", create, compute_kernel, delete_kernel);
    TF_KernelBuilder_TypeConstraint(k, "T", types[i], status);
    if (TF_GetCode(status) != TF_OK) {
      TF_DeleteKernelBuilder(k);
      return;
    }
    TF_RegisterKernelBuilder(kernel_name, k, status);  // takes k
  }
}

void tfrun_activation_register(TF_Status* status) {
  const char* leaky[] = {"alpha: T"};
  const char* selu[] = {"scale: T", "scale_alpha: T"};
  add_op(&kLeakyRelu, create_leaky_relu, leaky, status);
  if (TF_GetCode(status) == TF_OK) add_op(&kElu, create_elu, NULL, status);
  if (TF_GetCode(status) == TF_OK) add_op(&kSelu, create_selu, selu, status);
}

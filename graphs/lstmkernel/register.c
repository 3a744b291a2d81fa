// The registration of tfrun's LSTM cell ops and their CPU kernels with TensorFlow's C
// kernel API (tensorflow/c/ops.h and tensorflow/c/kernels.h of TensorFlow 2.18, exported
// by libtensorflow_framework.so.2).

#include <stdlib.h>

#include "kernels.h"

// TensorFlow 2.18's ops.h declares these as struct tags only (fine in C++, not in C).
typedef struct TF_DimensionHandle TF_DimensionHandle;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;

#include "tensorflow/c/ops.h"
#include "tensorflow/c/tf_status.h"

// set_like sets output out to input in's shape (or, with end > start, the subshape
// [start, end) of it).
static void set_like(TF_ShapeInferenceContext* ctx, int out, int in, int64_t start, int64_t end,
                     TF_Status* status) {
  TF_ShapeHandle* shape = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, in, shape, status);
  if (TF_GetCode(status) == TF_OK && end > start) {
    TF_ShapeHandle* sub = TF_NewShapeHandle();
    TF_ShapeInferenceContextSubshape(ctx, shape, start, end, sub, status);
    TF_DeleteShapeHandle(shape);
    shape = sub;
  }
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeInferenceContextSetOutput(ctx, out, shape, status);
  }
  TF_DeleteShapeHandle(shape);
}

// cell_shapes: h, c and tanh_c are shaped like c_prev (input 3), gates like zx (input 0).
static void cell_shapes(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  set_like(ctx, 0, 3, 0, 0, status);
  if (TF_GetCode(status) == TF_OK) set_like(ctx, 1, 3, 0, 0, status);
  if (TF_GetCode(status) == TF_OK) set_like(ctx, 2, 0, 0, 0, status);
  if (TF_GetCode(status) == TF_OK) set_like(ctx, 3, 3, 0, 0, status);
}

// grad_shapes: dz is shaped like gates (input 3), dc_prev like dh (input 0), db like a
// row of gates.
static void grad_shapes(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  set_like(ctx, 0, 3, 0, 0, status);
  if (TF_GetCode(status) == TF_OK) set_like(ctx, 1, 0, 0, 0, status);
  if (TF_GetCode(status) == TF_OK) set_like(ctx, 2, 3, 1, 2, status);
}

// The kernels keep no state: create returns a token, delete has nothing to free.
static int kernel_token;
static void* create_kernel(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return &kernel_token;
}
static void delete_kernel(void* kernel) { (void)kernel; }

static void add_op(const char* name, const char* const* inputs, int n_in,
                   const char* const* outputs, int n_out,
                   void (*shapes)(TF_ShapeInferenceContext*, TF_Status*), TF_Status* status) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(name);
  TF_OpDefinitionBuilderAddAttr(b, "T: {float, bfloat16}");
  for (int i = 0; i < n_in; i++) TF_OpDefinitionBuilderAddInput(b, inputs[i]);
  for (int i = 0; i < n_out; i++) TF_OpDefinitionBuilderAddOutput(b, outputs[i]);
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, shapes);
  TF_RegisterOpDefinition(b, status);  // takes b
}

static void add_kernel(const char* op, const char* kernel_name,
                       void (*compute)(void*, TF_OpKernelContext*), TF_DataType type,
                       TF_Status* status) {
  TF_KernelBuilder* k = TF_NewKernelBuilder(op, "CPU", create_kernel, compute, delete_kernel);
  TF_KernelBuilder_TypeConstraint(k, "T", type, status);
  if (TF_GetCode(status) != TF_OK) {
    TF_DeleteKernelBuilder(k);
    return;
  }
  TF_RegisterKernelBuilder(kernel_name, k, status);  // takes k
}

void tfrun_lstm_register(TF_Status* status) {
  static const char* const cell_in[] = {"zx: T", "zh: T", "b: T", "c_prev: T"};
  static const char* const cell_out[] = {"h: T", "c: T", "gates: T", "tanh_c: T"};
  static const char* const grad_in[] = {"dh: T", "dh_next: T", "dc_next: T",
                                        "gates: T", "tanh_c: T", "c_prev: T"};
  static const char* const grad_out[] = {"dz: T", "dc_prev: T", "db: T"};
  add_op(TFRUN_LSTM_CELL, cell_in, 4, cell_out, 4, cell_shapes, status);
  if (TF_GetCode(status) != TF_OK) return;
  add_op(TFRUN_LSTM_CELL_GRAD, grad_in, 6, grad_out, 3, grad_shapes, status);
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel(TFRUN_LSTM_CELL, "TfrunLSTMCell_CPU_float", tfrun_lstm_cell_compute, TF_FLOAT, status);
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel(TFRUN_LSTM_CELL, "TfrunLSTMCell_CPU_bfloat16", tfrun_lstm_cell_compute, TF_BFLOAT16, status);
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel(TFRUN_LSTM_CELL_GRAD, "TfrunLSTMCellGrad_CPU_float", tfrun_lstm_cell_grad_compute, TF_FLOAT, status);
  if (TF_GetCode(status) != TF_OK) return;
  add_kernel(TFRUN_LSTM_CELL_GRAD, "TfrunLSTMCellGrad_CPU_bfloat16", tfrun_lstm_cell_grad_compute, TF_BFLOAT16, status);
}

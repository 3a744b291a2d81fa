// A kernel call's tensors (see tensor_args.h).

#include "tensor_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int tfrun_fail(tfrun_args* a, TF_Code code, const char* format, ...) {
  char msg[512];
  int n = snprintf(msg, sizeof msg, "%s: ", a->op);
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg + n, sizeof msg - (size_t)n, format, ap);
  va_end(ap);
  TF_SetStatus(a->status, code, msg);
  TF_OpKernelContext_Failure(a->ctx, a->status);
  return 0;
}

int tfrun_args_get(tfrun_args* a, TF_OpKernelContext* ctx, const char* op, int n) {
  memset(a, 0, sizeof *a);
  a->ctx = ctx;
  a->status = TF_NewStatus();
  a->op = op;
  a->inputs = n;
  if (TF_NumInputs(ctx) != n) {
    tfrun_fail(a, TF_INVALID_ARGUMENT, "%d inputs, want %d", TF_NumInputs(ctx), n);
    tfrun_args_done(a);
    return 0;
  }
  for (int i = 0; i < n; i++) {
    TF_GetInput(ctx, i, &a->in[i], a->status);
    if (TF_GetCode(a->status) != TF_OK) {
      TF_OpKernelContext_Failure(ctx, a->status);
      tfrun_args_done(a);
      return 0;
    }
    TF_DataType t = TF_TensorType(a->in[i]);
    if (i == 0) {
      a->dtype = t;
    }
    if (t != a->dtype || (t != TF_FLOAT && t != TF_BFLOAT16)) {
      tfrun_fail(a, TF_INVALID_ARGUMENT, "input %d has type %d, want float32 or bfloat16 like input 0", i, (int)t);
      tfrun_args_done(a);
      return 0;
    }
    a->in_data[i] = TF_TensorData(a->in[i]);
  }
  return 1;
}

void tfrun_args_done(tfrun_args* a) {
  for (int i = 0; i < TFRUN_MAX_ARGS; i++) {
    if (a->in[i] != NULL) TF_DeleteTensor(a->in[i]);
    if (a->out[i] != NULL) TF_DeleteTensor(a->out[i]);
    a->in[i] = a->out[i] = NULL;
  }
  if (a->status != NULL) TF_DeleteStatus(a->status);
  a->status = NULL;
}

static void shape_string(TF_Tensor* t, char* buf, size_t size) {
  int n = snprintf(buf, size, "[");
  for (int d = 0; d < TF_NumDims(t) && (size_t)n < size; d++) {
    n += snprintf(buf + n, size - (size_t)n, d ? ", %lld" : "%lld", (long long)TF_Dim(t, d));
  }
  if ((size_t)n < size) snprintf(buf + n, size - (size_t)n, "]");
}

int tfrun_check_gates(tfrun_args* a, int i, const char* name, int64_t* batch, int64_t* units) {
  TF_Tensor* t = a->in[i];
  if (TF_NumDims(t) != 2 || TF_Dim(t, 1) % 4 != 0 || TF_Dim(t, 1) == 0) {
    char s[128];
    shape_string(t, s, sizeof s);
    return tfrun_fail(a, TF_INVALID_ARGUMENT, "%s has shape %s, want [batch, 4·units] (units > 0)", name, s);
  }
  *batch = TF_Dim(t, 0);
  *units = TF_Dim(t, 1) / 4;
  return 1;
}

int tfrun_check_shape(tfrun_args* a, int i, const char* name, int64_t d0, int64_t d1) {
  TF_Tensor* t = a->in[i];
  if (TF_NumDims(t) != 2 || TF_Dim(t, 0) != d0 || TF_Dim(t, 1) != d1) {
    char s[128];
    shape_string(t, s, sizeof s);
    return tfrun_fail(a, TF_INVALID_ARGUMENT, "%s has shape %s, want [%lld, %lld]", name, s, (long long)d0, (long long)d1);
  }
  return 1;
}

int tfrun_check_vector(tfrun_args* a, int i, const char* name, int64_t n) {
  TF_Tensor* t = a->in[i];
  if (TF_NumDims(t) != 1 || TF_Dim(t, 0) != n) {
    char s[128];
    shape_string(t, s, sizeof s);
    return tfrun_fail(a, TF_INVALID_ARGUMENT, "%s has shape %s, want [%lld]", name, s, (long long)n);
  }
  return 1;
}

static int alloc(tfrun_args* a, int i, const int64_t* dims, int rank, int64_t elems) {
  size_t len = (size_t)elems * TF_DataTypeSize(a->dtype);
  a->out[i] = TF_AllocateOutput(a->ctx, i, a->dtype, dims, rank, len, a->status);
  if (TF_GetCode(a->status) != TF_OK || a->out[i] == NULL) {
    TF_OpKernelContext_Failure(a->ctx, a->status);
    return 0;
  }
  a->out_data[i] = TF_TensorData(a->out[i]);
  return 1;
}

int tfrun_alloc(tfrun_args* a, int i, int64_t d0, int64_t d1) {
  int64_t dims[2] = {d0, d1};
  return alloc(a, i, dims, 2, d0 * d1);
}

int tfrun_alloc_vector(tfrun_args* a, int i, int64_t n) {
  int64_t dims[1] = {n};
  return alloc(a, i, dims, 1, n);
}

float* tfrun_scratch(int64_t n) { return (float*)malloc((size_t)(n > 0 ? n : 1) * sizeof(float)); }

void tfrun_scratch_free(float* p) { free(p); }

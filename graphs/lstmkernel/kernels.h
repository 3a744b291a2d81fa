// Declarations shared by the C files of tfrun's LSTM cell kernels.

#ifndef TFRUN_LSTMKERNEL_KERNELS_H_
#define TFRUN_LSTMKERNEL_KERNELS_H_

#include <stdint.h>

#include "kernel_api.h"

// The element-wise cell over a batch, one element type each; the arrays are row-major
// [batch, 4·units] (zx, zh, gates, dz), [4·units] (b, db) and [batch, units] (the rest).
void tfrun_lstm_cell_forward_f32(int64_t batch, int64_t units, const float* zx, const float* zh,
                                 const float* b, const float* c_prev, float* h, float* c,
                                 float* gates, float* tanh_c);
// The bfloat16 versions compute in float32 and return 0 when out of scratch memory.
int tfrun_lstm_cell_forward_bf16(int64_t batch, int64_t units, const uint16_t* zx,
                                  const uint16_t* zh, const uint16_t* b, const uint16_t* c_prev,
                                  uint16_t* h, uint16_t* c, uint16_t* gates, uint16_t* tanh_c);
void tfrun_lstm_cell_backward_f32(int64_t batch, int64_t units, const float* dh,
                                  const float* dh_next, const float* dc_next, const float* gates,
                                  const float* tanh_c, const float* c_prev, float* dz,
                                  float* dc_prev, float* db);
int tfrun_lstm_cell_backward_bf16(int64_t batch, int64_t units, const uint16_t* dh,
                                   const uint16_t* dh_next, const uint16_t* dc_next,
                                   const uint16_t* gates, const uint16_t* tanh_c,
                                   const uint16_t* c_prev, uint16_t* dz, uint16_t* dc_prev,
                                   uint16_t* db);

// The op names.
#define TFRUN_LSTM_CELL "TfrunLSTMCell"
#define TFRUN_LSTM_CELL_GRAD "TfrunLSTMCellGrad"

// The TensorFlow kernels' compute functions (TF_NewKernelBuilder).
void tfrun_lstm_cell_compute(void* kernel, TF_OpKernelContext* ctx);
void tfrun_lstm_cell_grad_compute(void* kernel, TF_OpKernelContext* ctx);

// tfrun_lstm_register registers the ops and their CPU kernels; a failure is in status.
void tfrun_lstm_register(TF_Status* status);

#endif  // TFRUN_LSTMKERNEL_KERNELS_H_

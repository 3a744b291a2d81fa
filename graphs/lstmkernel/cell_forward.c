// The forward LSTM cell kernel (op TfrunLSTMCell): the element-wise part of one step of
// Keras's LSTM cell over a whole batch, the matrix products left to MatMul.
//
//   z = zx + zh + b                  (zx = x_t·kernel, zh = h_{t-1}·recurrent_kernel)
//   i = σ(z_i)  f = σ(z_f)  g = tanh(z_c)  o = σ(z_o)     (Keras's gate order i, f, c, o)
//   c = f·c_prev + i·g      h = o·tanh(c)
//
// It also returns the gates (activated) and tanh(c), what the backward kernel needs.

#include "activations.h"
#include "kernels.h"
#include "tensor_args.h"

// The math is written once over float rows; the bfloat16 version widens into and rounds
// out of these rows (as TensorFlow's own bfloat16 element-wise kernels compute in float).
static inline __attribute__((always_inline)) void cell_row(int64_t units, const float* restrict zx, const float* restrict zh, const float* restrict b,
                            const float* restrict c_prev, float* restrict h, float* restrict c, float* restrict gates,
                            float* restrict tanh_c) {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC ivdep  // the rows of different arrays never overlap
#endif
  for (int64_t j = 0; j < units; j++) {
    float i = tfrun_sigmoid((zx[j] + zh[j]) + b[j]);
    float f = tfrun_sigmoid((zx[units + j] + zh[units + j]) + b[units + j]);
    float g = tfrun_tanh((zx[2 * units + j] + zh[2 * units + j]) + b[2 * units + j]);
    float o = tfrun_sigmoid((zx[3 * units + j] + zh[3 * units + j]) + b[3 * units + j]);
    float cell = f * c_prev[j] + i * g;
    float tc = tfrun_tanh(cell);
    gates[j] = i;
    gates[units + j] = f;
    gates[2 * units + j] = g;
    gates[3 * units + j] = o;
    c[j] = cell;
    tanh_c[j] = tc;
    h[j] = o * tc;
  }
}

tfrun_vectorized void tfrun_lstm_cell_forward_f32(int64_t batch, int64_t units, const float* zx,
                                                  const float* zh, const float* b,
                                                  const float* c_prev, float* h, float* c,
                                                  float* gates, float* tanh_c) {
  for (int64_t r = 0; r < batch; r++) {
    int64_t g4 = r * 4 * units, g1 = r * units;
    cell_row(units, zx + g4, zh + g4, b, c_prev + g1, h + g1, c + g1, gates + g4, tanh_c + g1);
  }
}

tfrun_vectorized int tfrun_lstm_cell_forward_bf16(int64_t batch, int64_t units, const uint16_t* zx,
                                 const uint16_t* zh, const uint16_t* b, const uint16_t* c_prev,
                                 uint16_t* h, uint16_t* c, uint16_t* gates, uint16_t* tanh_c) {
  float* buf = tfrun_scratch(20 * units);
  if (buf == NULL) return 0;
  float *fzx = buf, *fzh = buf + 4 * units, *fb = buf + 8 * units, *fcp = buf + 12 * units;
  float *fh = buf + 13 * units, *fc = buf + 14 * units, *fg = buf + 15 * units, *ftc = buf + 19 * units;
  tfrun_widen(fb, b, 4 * units);
  for (int64_t r = 0; r < batch; r++) {
    int64_t g4 = r * 4 * units, g1 = r * units;
    tfrun_widen(fzx, zx + g4, 4 * units);
    tfrun_widen(fzh, zh + g4, 4 * units);
    tfrun_widen(fcp, c_prev + g1, units);
    cell_row(units, fzx, fzh, fb, fcp, fh, fc, fg, ftc);
    tfrun_narrow(h + g1, fh, units);
    tfrun_narrow(c + g1, fc, units);
    tfrun_narrow(gates + g4, fg, 4 * units);
    tfrun_narrow(tanh_c + g1, ftc, units);
  }
  tfrun_scratch_free(buf);
  return 1;
}

// tfrun_lstm_cell_compute is TfrunLSTMCell's kernel: inputs zx [batch, 4·units],
// zh [batch, 4·units], b [4·units], c_prev [batch, units]; outputs h, c, tanh_c
// [batch, units] and gates [batch, 4·units].
void tfrun_lstm_cell_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  tfrun_args a;
  if (!tfrun_args_get(&a, ctx, TFRUN_LSTM_CELL, 4)) return;
  int64_t batch = 0, units = 0;
  if (tfrun_check_gates(&a, 0, "zx", &batch, &units) &&
      tfrun_check_shape(&a, 1, "zh", batch, 4 * units) &&
      tfrun_check_vector(&a, 2, "b", 4 * units) &&
      tfrun_check_shape(&a, 3, "c_prev", batch, units) &&
      tfrun_alloc(&a, 0, batch, units) && tfrun_alloc(&a, 1, batch, units) &&
      tfrun_alloc(&a, 2, batch, 4 * units) && tfrun_alloc(&a, 3, batch, units)) {
    if (a.dtype == TF_FLOAT) {
      tfrun_lstm_cell_forward_f32(batch, units, a.in_data[0], a.in_data[1], a.in_data[2],
                                  a.in_data[3], a.out_data[0], a.out_data[1], a.out_data[2],
                                  a.out_data[3]);
    } else if (!tfrun_lstm_cell_forward_bf16(batch, units, a.in_data[0], a.in_data[1],
                                             a.in_data[2], a.in_data[3], a.out_data[0],
                                             a.out_data[1], a.out_data[2], a.out_data[3])) {
      tfrun_fail(&a, TF_RESOURCE_EXHAUSTED, "out of memory for %lld units", (long long)units);
    }
  }
  tfrun_args_done(&a);
}

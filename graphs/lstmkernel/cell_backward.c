// The backward LSTM cell kernel (op TfrunLSTMCellGrad): one step of backpropagation
// through time over a whole batch, the element-wise part. With dh = dh_t + dh_next (the
// gradient of this step's output from the loss and from step t+1's recurrent product) and
// dc_next the cell state's gradient from step t+1:
//
//   do = dh·tanh(c)       dc = dh·o·(1−tanh²(c)) + dc_next
//   di = dc·g   df = dc·c_prev   dg = dc·i   dc_prev = dc·f
//   dz = [di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)]    db = Σ_batch dz
//
// in the order of operations of TensorFlow's TanhGrad and SigmoidGrad (dy·y·(1−y)), which
// the unrolled cell (graphs.UnrolledLSTM) uses. MatMul takes dz to the input, the previous
// output and the weights.

#include "activations.h"
#include "kernels.h"
#include "tensor_args.h"

static inline __attribute__((always_inline)) void grad_row(int64_t units, const float* restrict dh, const float* restrict dh_next,
                            const float* restrict dc_next, const float* restrict gates,
                            const float* restrict tanh_c, const float* restrict c_prev,
                            float* restrict dz, float* restrict dc_prev, float* restrict db) {
  const float* restrict gi = gates;
  const float* restrict gf = gates + units;
  const float* restrict gg = gates + 2 * units;
  const float* restrict go = gates + 3 * units;
  float* restrict dzi = dz;
  float* restrict dzf = dz + units;
  float* restrict dzg = dz + 2 * units;
  float* restrict dzo = dz + 3 * units;
  float* restrict dbi = db;
  float* restrict dbf = db + units;
  float* restrict dbg = db + 2 * units;
  float* restrict dbo = db + 3 * units;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC ivdep  // the rows of different arrays never overlap
#endif
  for (int64_t j = 0; j < units; j++) {
    float d = dh[j] + dh_next[j];
    float tc = tanh_c[j];
    float dout = d * tc;
    float dc = (d * go[j]) * (1.0f - tc * tc) + dc_next[j];
    float di = dc * gg[j];
    float df = dc * c_prev[j];
    float dg = dc * gi[j];
    dc_prev[j] = dc * gf[j];
    float zi = (di * gi[j]) * (1.0f - gi[j]);
    float zf = (df * gf[j]) * (1.0f - gf[j]);
    float zg = dg * (1.0f - gg[j] * gg[j]);
    float zo = (dout * go[j]) * (1.0f - go[j]);
    dzi[j] = zi;
    dzf[j] = zf;
    dzg[j] = zg;
    dzo[j] = zo;
    dbi[j] += zi;
    dbf[j] += zf;
    dbg[j] += zg;
    dbo[j] += zo;
  }
}

tfrun_vectorized void tfrun_lstm_cell_backward_f32(int64_t batch, int64_t units, const float* dh,
                                                   const float* dh_next, const float* dc_next,
                                                   const float* gates, const float* tanh_c,
                                                   const float* c_prev, float* dz,
                                                   float* dc_prev, float* db) {
  for (int64_t j = 0; j < 4 * units; j++) db[j] = 0;
  for (int64_t r = 0; r < batch; r++) {
    int64_t g4 = r * 4 * units, g1 = r * units;
    grad_row(units, dh + g1, dh_next + g1, dc_next + g1, gates + g4, tanh_c + g1, c_prev + g1,
             dz + g4, dc_prev + g1, db);
  }
}

tfrun_vectorized int tfrun_lstm_cell_backward_bf16(int64_t batch, int64_t units, const uint16_t* dh,
                                  const uint16_t* dh_next, const uint16_t* dc_next,
                                  const uint16_t* gates, const uint16_t* tanh_c,
                                  const uint16_t* c_prev, uint16_t* dz, uint16_t* dc_prev,
                                  uint16_t* db) {
  float* buf = tfrun_scratch(18 * units);
  if (buf == NULL) return 0;
  float *fdh = buf, *fdhn = buf + units, *fdcn = buf + 2 * units, *fg = buf + 3 * units;
  float *ftc = buf + 7 * units, *fcp = buf + 8 * units, *fdz = buf + 9 * units;
  float *fdcp = buf + 13 * units, *fdb = buf + 14 * units;
  for (int64_t j = 0; j < 4 * units; j++) fdb[j] = 0;
  for (int64_t r = 0; r < batch; r++) {
    int64_t g4 = r * 4 * units, g1 = r * units;
    tfrun_widen(fdh, dh + g1, units);
    tfrun_widen(fdhn, dh_next + g1, units);
    tfrun_widen(fdcn, dc_next + g1, units);
    tfrun_widen(fg, gates + g4, 4 * units);
    tfrun_widen(ftc, tanh_c + g1, units);
    tfrun_widen(fcp, c_prev + g1, units);
    grad_row(units, fdh, fdhn, fdcn, fg, ftc, fcp, fdz, fdcp, fdb);
    tfrun_narrow(dz + g4, fdz, 4 * units);
    tfrun_narrow(dc_prev + g1, fdcp, units);
  }
  tfrun_narrow(db, fdb, 4 * units);
  tfrun_scratch_free(buf);
  return 1;
}

// tfrun_lstm_cell_grad_compute is TfrunLSTMCellGrad's kernel: inputs dh, dh_next, dc_next
// [batch, units], gates [batch, 4·units], tanh_c, c_prev [batch, units]; outputs
// dz [batch, 4·units], dc_prev [batch, units] and db [4·units].
void tfrun_lstm_cell_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  tfrun_args a;
  if (!tfrun_args_get(&a, ctx, TFRUN_LSTM_CELL_GRAD, 6)) return;
  int64_t batch = 0, units = 0;
  if (tfrun_check_gates(&a, 3, "gates", &batch, &units) &&
      tfrun_check_shape(&a, 0, "dh", batch, units) &&
      tfrun_check_shape(&a, 1, "dh_next", batch, units) &&
      tfrun_check_shape(&a, 2, "dc_next", batch, units) &&
      tfrun_check_shape(&a, 4, "tanh_c", batch, units) &&
      tfrun_check_shape(&a, 5, "c_prev", batch, units) &&
      tfrun_alloc(&a, 0, batch, 4 * units) && tfrun_alloc(&a, 1, batch, units) &&
      tfrun_alloc_vector(&a, 2, 4 * units)) {
    if (a.dtype == TF_FLOAT) {
      tfrun_lstm_cell_backward_f32(batch, units, a.in_data[0], a.in_data[1], a.in_data[2],
                                   a.in_data[3], a.in_data[4], a.in_data[5], a.out_data[0],
                                   a.out_data[1], a.out_data[2]);
    } else if (!tfrun_lstm_cell_backward_bf16(batch, units, a.in_data[0], a.in_data[1],
                                              a.in_data[2], a.in_data[3], a.in_data[4],
                                              a.in_data[5], a.out_data[0], a.out_data[1],
                                              a.out_data[2])) {
      tfrun_fail(&a, TF_RESOURCE_EXHAUSTED, "out of memory for %lld units", (long long)units);
    }
  }
  tfrun_args_done(&a);
}

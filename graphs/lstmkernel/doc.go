// Package lstmkernel registers tfrun's own CPU kernels for the element-wise part of an
// LSTM step with TensorFlow, through its C kernel API (tensorflow/c/kernels.h and
// tensorflow/c/ops.h of TensorFlow 2.18, which libtensorflow_framework.so.2 exports).
//
// Two ops, for float32 and bfloat16 (computed in float32, as TensorFlow's element-wise
// bfloat16 kernels are):
//
//   - TfrunLSTMCell (zx, zh, b, c_prev) → (h, c, gates, tanh_c): one step of Keras's LSTM
//     cell over a whole batch after its two matrix products, zx = x_t·kernel and
//     zh = h_{t-1}·recurrent_kernel, [batch, 4·units] each; gates in Keras's order i, f, c, o.
//   - TfrunLSTMCellGrad (dh, dh_next, dc_next, gates, tanh_c, c_prev) → (dz, dc_prev, db):
//     that step's backward pass, up to the gradient dz of the pre-activations, which
//     MatMul takes to the input, the previous output and the weights.
//
// The matrix products stay TensorFlow's MatMul (oneDNN's where it is on). The package does
// only the registration; graphs.Scope.KernelLSTM builds the ops into a graph. Register
// once per process before building such a graph (it is safe to call many times and from
// many goroutines); a model that uses the ops cannot be loaded by a TensorFlow without
// them (Python, TensorFlow Serving), so tfrun never exports them.
package lstmkernel

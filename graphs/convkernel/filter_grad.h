// Declarations shared by the C files of tfrun's convolution filter gradient kernel.

#ifndef TFRUN_CONVKERNEL_FILTER_GRAD_H_
#define TFRUN_CONVKERNEL_FILTER_GRAD_H_

#include <stdint.h>

#include "kernel_api.h"

// The op name.
#define TFRUN_CONV2D_BACKPROP_FILTER "TfrunConv2DBackpropFilter"

// tfrun_conv_geometry is one filter gradient's shapes: the forward conv's input x
// [n, h, w, ci], its output gradient dy [n, oh, ow, co], the filter [kh, kw, ci, co], the
// strides and the padding before the input along each axis (SAME's or VALID's, or any
// other: positions outside x read as zero).
typedef struct {
  int64_t n, h, w, ci;
  int64_t oh, ow, co;
  int64_t kh, kw;
  int64_t stride_h, stride_w;
  int64_t pad_top, pad_left;
} tfrun_conv_geometry;

// tfrun_conv_filter_grad_supported reports whether this CPU runs the float32 kernel
// (AVX-512F).
int tfrun_conv_filter_grad_supported(void);

// tfrun_conv_filter_grad_f32 writes dw [kh, kw, ci, co], the gradient of Conv2D(x, w)
// with respect to w given dy: dw[i, j, c, d] = Σ over b, p, q of
// x[b, p·stride_h + i − pad_top, q·stride_w + j − pad_left, c]·dy[b, p, q, d]. co must be
// a multiple of 16 and the CPU must have AVX-512F (tfrun_conv_filter_grad_supported).
// Each element is one chain of fused multiply-adds from zero in the order of (b, p, q), so
// the result does not depend on the number of threads (at most threads run; 0: this
// process's CPUs). It returns 0, or -1 when it could not allocate its buffers.
int tfrun_conv_filter_grad_f32(const tfrun_conv_geometry* g, const float* x, const float* dy, float* dw,
                               int threads);

// The registration of the op and its kernel; a failure is in status.
void tfrun_conv_register(TF_Status* status);

#endif  // TFRUN_CONVKERNEL_FILTER_GRAD_H_

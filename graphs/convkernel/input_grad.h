// Declarations of tfrun's input gradient kernel for convolutions with few input channels.

#ifndef TFRUN_CONVKERNEL_INPUT_GRAD_H_
#define TFRUN_CONVKERNEL_INPUT_GRAD_H_

#include "filter_grad.h"

// The op name.
#define TFRUN_CONV2D_BACKPROP_INPUT "TfrunConv2DBackpropInput"

// tfrun_conv_input_grad_supported reports whether this CPU runs the float32 kernel
// (AVX-512F); tfrun_conv_input_grad_bf16_supported, the bfloat16 one (AVX-512F, BW and
// BF16).
int tfrun_conv_input_grad_supported(void);
int tfrun_conv_input_grad_bf16_supported(void);

// tfrun_conv_input_grad_f32 writes dx [n, h, w, ci], the gradient of Conv2D(x, w) with
// respect to x given dy [n, oh, ow, co] and the filter w [kh, kw, ci, co] (g as for the
// filter gradient): dx[b, y, x, c] = Σ over b's dy positions (r, q) and taps (i, j) with
// y = r·stride_h + i − pad_top, x = q·stride_w + j − pad_left of w[i, j, c, d]·dy[b, r, q, d].
// co must be a multiple of 16 and the CPU must run it. It is fast for few input channels
// (a tap's products are computed for every tap, kh·kw·ci of them, in tiles of 64). A
// thread owns whole images and each element's sum runs in a fixed order, so the result
// does not depend on the number of threads (at most threads; 0: the process's CPUs). It
// returns 0, or -1 when it could not allocate its buffers.
int tfrun_conv_input_grad_f32(const tfrun_conv_geometry* g, const float* w, const float* dy, float* dx, int threads);

// tfrun_conv_input_grad_bf16 is the same for bfloat16 w, dy and dx (raw 16-bit values):
// pairs of d multiplied and added in float32 (VDPBF16PS, which reads subnormal inputs as
// zero), each element summed in float32 and rounded to bfloat16 (to nearest even) once.
int tfrun_conv_input_grad_bf16(const tfrun_conv_geometry* g, const uint16_t* w, const uint16_t* dy, uint16_t* dx,
                               int threads);

#endif  // TFRUN_CONVKERNEL_INPUT_GRAD_H_

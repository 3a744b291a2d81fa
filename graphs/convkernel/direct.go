package convkernel

/*
#include "filter_grad.h"
*/
import "C"

import "unsafe"

// Geometry is one filter gradient's shapes (filter_grad.h's tfrun_conv_geometry).
type Geometry struct {
	N, H, W, CI, OH, OW, CO, KH, KW   int64
	StrideH, StrideW, PadTop, PadLeft int64
}

// FilterGradForTest runs the kernel on x and dy with the given number of threads, without
// TensorFlow, for tests of what TensorFlow cannot vary (the threads). g.CO must be a
// multiple of 16 and Supported true.
func FilterGradForTest(g Geometry, x, dy []float32, threads int) []float32 {
	out := make([]float32, g.KH*g.KW*g.CI*g.CO)
	cg := C.tfrun_conv_geometry{n: C.int64_t(g.N), h: C.int64_t(g.H), w: C.int64_t(g.W), ci: C.int64_t(g.CI),
		oh: C.int64_t(g.OH), ow: C.int64_t(g.OW), co: C.int64_t(g.CO), kh: C.int64_t(g.KH), kw: C.int64_t(g.KW),
		stride_h: C.int64_t(g.StrideH), stride_w: C.int64_t(g.StrideW), pad_top: C.int64_t(g.PadTop), pad_left: C.int64_t(g.PadLeft)}
	if C.tfrun_conv_filter_grad_f32(&cg, (*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&dy[0])),
		(*C.float)(unsafe.Pointer(&out[0])), C.int(threads)) != 0 {
		panic("convkernel: out of memory")
	}
	return out
}

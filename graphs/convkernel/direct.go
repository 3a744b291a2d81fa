package convkernel

/*
#include "input_grad.h"
*/
import "C"

import (
	"math"
	"unsafe"
)

// Geometry is one filter gradient's shapes (filter_grad.h's tfrun_conv_geometry).
type Geometry struct {
	N, H, W, CI, OH, OW, CO, KH, KW   int64
	StrideH, StrideW, PadTop, PadLeft int64
}

// FilterGradForTest runs the float32 kernel on x and dy, or the bfloat16 one on them
// rounded to bfloat16 (its result widened back), with the given number of threads, without
// TensorFlow, for tests of what TensorFlow cannot vary (the threads). g.CO must be a
// multiple of 16 and the kernel Supported.
func FilterGradForTest(g Geometry, x, dy []float32, threads int, bfloat16 bool) []float32 {
	out := make([]float32, g.KH*g.KW*g.CI*g.CO)
	cg := geometry(g)
	if bfloat16 {
		xb, dyb, outb := toBF16(x), toBF16(dy), make([]uint16, len(out))
		if C.tfrun_conv_filter_grad_bf16(&cg, (*C.uint16_t)(unsafe.Pointer(&xb[0])), (*C.uint16_t)(unsafe.Pointer(&dyb[0])),
			(*C.uint16_t)(unsafe.Pointer(&outb[0])), C.int(threads)) != 0 {
			panic("convkernel: out of memory")
		}
		for i, h := range outb {
			out[i] = math.Float32frombits(uint32(h) << 16)
		}
		return out
	}
	if C.tfrun_conv_filter_grad_f32(&cg, (*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&dy[0])),
		(*C.float)(unsafe.Pointer(&out[0])), C.int(threads)) != 0 {
		panic("convkernel: out of memory")
	}
	return out
}

// InputGradForTest runs the float32 input gradient kernel on w and dy, or the bfloat16 one
// on them rounded to bfloat16 (its result widened back), with the given number of threads,
// without TensorFlow: dx of g's input shape. g.CO must be a multiple of 16 and the kernel
// SupportedInput.
func InputGradForTest(g Geometry, w, dy []float32, threads int, bfloat16 bool) []float32 {
	out := make([]float32, g.N*g.H*g.W*g.CI)
	if len(out) == 0 {
		return out
	}
	cg := geometry(g)
	if bfloat16 {
		wb, dyb, outb := toBF16(w), toBF16(dy), make([]uint16, len(out))
		if C.tfrun_conv_input_grad_bf16(&cg, (*C.uint16_t)(unsafe.Pointer(&wb[0])), (*C.uint16_t)(unsafe.Pointer(&dyb[0])),
			(*C.uint16_t)(unsafe.Pointer(&outb[0])), C.int(threads)) != 0 {
			panic("convkernel: out of memory")
		}
		for i, h := range outb {
			out[i] = math.Float32frombits(uint32(h) << 16)
		}
		return out
	}
	if C.tfrun_conv_input_grad_f32(&cg, (*C.float)(unsafe.Pointer(&w[0])), (*C.float)(unsafe.Pointer(&dy[0])),
		(*C.float)(unsafe.Pointer(&out[0])), C.int(threads)) != 0 {
		panic("convkernel: out of memory")
	}
	return out
}

// geometry is g as the C kernels take it.
func geometry(g Geometry) C.tfrun_conv_geometry {
	return C.tfrun_conv_geometry{n: C.int64_t(g.N), h: C.int64_t(g.H), w: C.int64_t(g.W), ci: C.int64_t(g.CI),
		oh: C.int64_t(g.OH), ow: C.int64_t(g.OW), co: C.int64_t(g.CO), kh: C.int64_t(g.KH), kw: C.int64_t(g.KW),
		stride_h: C.int64_t(g.StrideH), stride_w: C.int64_t(g.StrideW), pad_top: C.int64_t(g.PadTop), pad_left: C.int64_t(g.PadLeft)}
}

// ForceAVX2ForTest makes the float32 kernel run its AVX2 tiles even on a CPU with AVX-512F
// (on), or choose by the CPU again (off), for tests that compare the two.
func ForceAVX2ForTest(on bool) {
	C.tfrun_conv_force_avx2 = 0
	if on {
		C.tfrun_conv_force_avx2 = 1
	}
}

// toBF16 is v rounded to bfloat16 (to nearest even; no NaNs).
func toBF16(v []float32) []uint16 {
	out := make([]uint16, len(v))
	for i, f := range v {
		b := math.Float32bits(f)
		out[i] = uint16((b + 0x7FFF + (b>>16)&1) >> 16)
	}
	return out
}

// KernelForBenchmark returns a function that runs the float32 or bfloat16 kernel once on
// inputs of g's shapes (ones, in the kernel's dtype) with the given number of threads,
// without TensorFlow: for benchmarks of the kernel alone.
func KernelForBenchmark(g Geometry, threads int, bfloat16 bool) func() {
	cg := geometry(g)
	nx, ndy, nw := g.N*g.H*g.W*g.CI, g.N*g.OH*g.OW*g.CO, g.KH*g.KW*g.CI*g.CO
	if bfloat16 {
		x, dy, dw := make([]uint16, nx), make([]uint16, ndy), make([]uint16, nw)
		for _, s := range [][]uint16{x, dy} {
			for j := range s {
				s[j] = 0x3F80 // 1.0
			}
		}
		return func() {
			if C.tfrun_conv_filter_grad_bf16(&cg, (*C.uint16_t)(unsafe.Pointer(&x[0])), (*C.uint16_t)(unsafe.Pointer(&dy[0])),
				(*C.uint16_t)(unsafe.Pointer(&dw[0])), C.int(threads)) != 0 {
				panic("convkernel: out of memory")
			}
		}
	}
	x, dy, dw := make([]float32, nx), make([]float32, ndy), make([]float32, nw)
	for _, s := range [][]float32{x, dy} {
		for j := range s {
			s[j] = 1
		}
	}
	return func() {
		if C.tfrun_conv_filter_grad_f32(&cg, (*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&dy[0])),
			(*C.float)(unsafe.Pointer(&dw[0])), C.int(threads)) != 0 {
			panic("convkernel: out of memory")
		}
	}
}

package convkernel

// The C files compile at -O3 (cgo's default flags are replaced by the Makefile's
// CGO_CFLAGS); kernel_api.h, TensorFlow's kernel API declarations, is graphs/lstmkernel's.
// Only the tile functions use AVX-512 (a target pragma), so the package loads on any
// x86-64 CPU and Supported tells whether the kernel runs.

/*
#cgo CFLAGS: -O3 -std=gnu11 -I${SRCDIR}/../lstmkernel
#cgo LDFLAGS: -lpthread
#include <stdlib.h>
#include "input_grad.h"
#include "tensorflow/c/tf_status.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
)

// The ops' type names, as a graph's NodeDefs spell them.
const (
	OpConv2DBackpropFilter = C.TFRUN_CONV2D_BACKPROP_FILTER
	OpConv2DBackpropInput  = C.TFRUN_CONV2D_BACKPROP_INPUT
)

// ErrRegister is what Register returns when TensorFlow refused an op or its kernel.
var ErrRegister = errors.New("convkernel: registering the convolution gradient kernels")

var registration = sync.OnceValue(func() error {
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.tfrun_conv_register(status)
	if code := C.TF_GetCode(status); code != C.TF_OK {
		return fmt.Errorf("%w: TensorFlow status %d: %s", ErrRegister, int(code), C.GoString(C.TF_Message(status)))
	}
	return nil
})

// Register registers the ops and their CPU kernels with TensorFlow's global registries the
// first time it is called, and returns that registration's result every time. It
// registers on any CPU; a kernel runs only where its Supported function says.
func Register() error { return registration() }

// Supported reports whether this CPU runs the float32 kernel: it needs AVX-512F, or AVX2
// and FMA (the same result bit for bit, in tiles half as wide).
func Supported() bool { return C.tfrun_conv_filter_grad_supported() != 0 }

// SupportedBFloat16 reports whether this CPU runs the bfloat16 kernel: it needs AVX-512F,
// AVX-512BW and AVX512_BF16.
func SupportedBFloat16() bool { return C.tfrun_conv_filter_grad_bf16_supported() != 0 }

// SupportedInput reports whether this CPU runs the float32 input gradient kernel
// (TfrunConv2DBackpropInput): it needs AVX-512F.
func SupportedInput() bool { return C.tfrun_conv_input_grad_supported() != 0 }

// SupportedInputBFloat16 reports whether this CPU runs the bfloat16 input gradient kernel:
// it needs AVX-512F, AVX-512BW and AVX512_BF16.
func SupportedInputBFloat16() bool { return C.tfrun_conv_input_grad_bf16_supported() != 0 }

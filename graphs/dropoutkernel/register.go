package dropoutkernel

// The C files compile at -O3 (cgo's default flags are replaced by the Makefile's
// CGO_CFLAGS); kernel_api.h, TensorFlow's kernel API declarations, is graphs/lstmkernel's.

/*
#cgo CFLAGS: -O3 -std=gnu11 -I${SRCDIR}/../lstmkernel
#include <stdlib.h>
#include "mask.h"
#include "tensorflow/c/tf_status.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// OpMask is the op's type name, as a graph's NodeDefs spell it.
const OpMask = C.TFRUN_DROPOUT_MASK

// ErrRegister is what Register returns when TensorFlow refused the op or its kernels.
var ErrRegister = errors.New("dropoutkernel: registering the dropout mask kernel")

var registration = sync.OnceValue(func() error {
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.tfrun_dropout_register(status)
	if code := C.TF_GetCode(status); code != C.TF_OK {
		return fmt.Errorf("%w: TensorFlow status %d: %s", ErrRegister, int(code), C.GoString(C.TF_Message(status)))
	}
	return nil
})

// Register registers the op and its CPU kernels with TensorFlow's global registries the
// first time it is called, and returns that registration's result every time.
func Register() error { return registration() }

// The vector forms of the Philox draws (mask.h's TFRUN_ISA_*).
const (
	isaScalar = int(C.TFRUN_ISA_SCALAR)
	isaAVX2   = int(C.TFRUN_ISA_AVX2)
	isaAVX512 = int(C.TFRUN_ISA_AVX512)
)

// forceISA makes the kernel draw in the given form, or the widest this CPU runs if that
// is narrower, and returns the widest; forceISA(widest) undoes it (tests).
func forceISA(level int) (widest int) { return int(C.tfrun_philox_force_isa(C.int(level))) }

// isa is the form the kernel draws in now.
func isa() int { return int(C.tfrun_philox_isa()) }

// uniform is tfrun_uniform_f32: n draws from Philox with key and counter, in the form
// forceISA left (tests compare the forms).
func uniform(n int, key uint64, counter [2]uint64) []float32 {
	out := make([]float32, n)
	uniformInto(out, key, counter)
	return out
}

// uniformInto is uniform writing into out, its length n (benchmarks reuse one buffer).
func uniformInto(out []float32, key uint64, counter [2]uint64) {
	n := len(out)
	k := [2]C.uint32_t{C.uint32_t(key), C.uint32_t(key >> 32)}
	c := [4]C.uint32_t{C.uint32_t(counter[0]), C.uint32_t(counter[0] >> 32), C.uint32_t(counter[1]), C.uint32_t(counter[1] >> 32)}
	if n > 0 {
		C.tfrun_uniform_f32(C.int64_t(n), &k[0], &c[0], (*C.float)(unsafe.Pointer(&out[0])))
	}
}

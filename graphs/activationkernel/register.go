package activationkernel

// The C files compile at -O3 (cgo's default flags are replaced by the Makefile's
// CGO_CFLAGS); kernel_api.h, TensorFlow's kernel API declarations, is graphs/lstmkernel's.

/*
#cgo CFLAGS: -O3 -std=gnu11 -I${SRCDIR}/../lstmkernel
#include <stdlib.h>
#include "half_grads.h"
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
	OpLeakyReluGrad = C.TFRUN_LEAKY_RELU_GRAD
	OpEluGrad       = C.TFRUN_ELU_GRAD
	OpSeluGrad      = C.TFRUN_SELU_GRAD
)

// ErrRegister is what Register returns when TensorFlow refused the op or its kernels.
var ErrRegister = errors.New("activationkernel: registering the activation gradient kernels")

var registration = sync.OnceValue(func() error {
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.tfrun_activation_register(status)
	if code := C.TF_GetCode(status); code != C.TF_OK {
		return fmt.Errorf("%w: TensorFlow status %d: %s", ErrRegister, int(code), C.GoString(C.TF_Message(status)))
	}
	return nil
})

// Register registers the ops and their CPU kernels with TensorFlow's global registries the
// first time it is called, and returns that registration's result every time.
func Register() error { return registration() }

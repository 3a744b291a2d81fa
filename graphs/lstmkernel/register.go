package lstmkernel

// The C files compile at -O3 (cgo's default flags are replaced by the Makefile's
// CGO_CFLAGS) and without -ffast-math, which would fold tfrun_exp's rounding away;
// activations.h turns trapping math off (cgo refuses the flag), so that GCC vectorizes the
// clamps and selects of the activations.

/*
#cgo CFLAGS: -O3 -std=gnu11
#include <stdlib.h>
#include "kernels.h"
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
	OpCell     = C.TFRUN_LSTM_CELL
	OpCellGrad = C.TFRUN_LSTM_CELL_GRAD
)

// ErrRegister is what Register returns when TensorFlow refused the ops or kernels.
var ErrRegister = errors.New("lstmkernel: registering the LSTM cell kernels")

var registration = sync.OnceValue(func() error {
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.tfrun_lstm_register(status)
	if code := C.TF_GetCode(status); code != C.TF_OK {
		return fmt.Errorf("%w: TensorFlow status %d: %s", ErrRegister, int(code), C.GoString(C.TF_Message(status)))
	}
	return nil
})

// Register registers the ops and their CPU kernels with TensorFlow's global registries
// the first time it is called, and returns that registration's result every time: a
// process registers them once, whatever the number of graphs, sessions and goroutines.
func Register() error { return registration() }

package graphs

// #cgo LDFLAGS: -ltensorflow
// #include <stdlib.h>
// #include <string.h>
// #include "tensorflow/c/c_api.h"
import "C"

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"unsafe"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/step_stats_go_proto"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// Trace makes every later Run of s ask TensorFlow for the step's statistics
// (RunOptions.trace_level FULL_TRACE) and hand them to fn: one NodeExecStats per op the
// run executed, with its start and end times. A nil fn turns tracing off. Call it between
// runs, not during one. Tracing costs
// some time of its own (TensorFlow stamps every op), so a traced step is a little slower
// than an untraced one; it is for profiling (tfrun-bench -profile), not for training.
//
// graft's Session.Run takes no run options, so a traced run (and a run in the one-thread
// inter-op pool, SetThreadLayout) calls TF_SessionRun itself,
// on the C handles of graft's Session, Operation and Tensor values (their unexported
// first fields, checked by traceHandlesOK).
func (s *Session) Trace(fn func(*step_stats_go_proto.StepStats)) { s.trace = fn }

// runWithOptions is Run with RunOptions: FULL_TRACE when s.trace is set (the step
// statistics handed to it), and the inter-op pool of s's thread layout (SetThreadLayout).
func (s *Session) runWithOptions(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation) ([]*tf.Tensor, error) {
	if err := traceHandlesOK(); err != nil {
		return nil, err
	}
	ro := &for_core_protos_go_proto.RunOptions{InterOpThreadPool: s.pool}
	if s.trace != nil {
		ro.TraceLevel = for_core_protos_go_proto.RunOptions_FULL_TRACE
	}
	opts, err := proto.Marshal(ro)
	if err != nil {
		return nil, fmt.Errorf("graphs: encoding RunOptions: %w", err)
	}
	// Feeds in a fixed order (by name, then index), so TensorFlow's executor cache, keyed
	// by the feeds' order, sees one key per set of feeds.
	outs := make([]tf.Output, 0, len(feeds))
	for o := range feeds {
		outs = append(outs, o)
	}
	sort.Slice(outs, func(i, j int) bool {
		a, b := outs[i], outs[j]
		if a.Op.Name() != b.Op.Name() {
			return a.Op.Name() < b.Op.Name()
		}
		return a.Index < b.Index
	})
	// The C arrays live in C memory: cgo forbids passing Go memory holding Go pointers.
	n := max(len(outs), 1) + max(len(fetches), 1)
	cOuts := unsafe.Slice((*C.TF_Output)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.TF_Output{})))), n)
	defer C.free(unsafe.Pointer(&cOuts[0]))
	m := max(len(outs), 1) + max(len(fetches), 1) + max(len(targets), 1)
	cPtrs := unsafe.Slice((*unsafe.Pointer)(C.calloc(C.size_t(m), C.size_t(unsafe.Sizeof(unsafe.Pointer(nil))))), m)
	defer C.free(unsafe.Pointer(&cPtrs[0]))
	feedOuts, fetchOuts := cOuts[:len(outs)], cOuts[max(len(outs), 1):][:len(fetches)]
	feedVals := cPtrs[:len(outs)]
	fetchVals := cPtrs[max(len(outs), 1):][:len(fetches)]
	targetOps := cPtrs[max(len(outs), 1)+max(len(fetches), 1):][:len(targets)]
	for i, o := range outs {
		feedOuts[i] = C.TF_Output{oper: (*C.TF_Operation)(firstField(o.Op)), index: C.int(o.Index)}
		feedVals[i] = firstField(feeds[o])
	}
	for i, o := range fetches {
		fetchOuts[i] = C.TF_Output{oper: (*C.TF_Operation)(firstField(o.Op)), index: C.int(o.Index)}
	}
	for i, t := range targets {
		targetOps[i] = firstField(t)
	}
	meta := C.TF_NewBuffer()
	defer C.TF_DeleteBuffer(meta)
	cOpts := C.TF_NewBufferFromString(unsafe.Pointer(&opts[0]), C.size_t(len(opts)))
	defer C.TF_DeleteBuffer(cOpts)
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)

	C.TF_SessionRun((*C.TF_Session)(firstField(s.tf)), cOpts,
		&cOuts[0], (**C.TF_Tensor)(unsafe.Pointer(&cPtrs[0])), C.int(len(outs)),
		&cOuts[max(len(outs), 1)], (**C.TF_Tensor)(unsafe.Pointer(&cPtrs[max(len(outs), 1)])), C.int(len(fetches)),
		(**C.TF_Operation)(unsafe.Pointer(&cPtrs[max(len(outs), 1)+max(len(fetches), 1)])), C.int(len(targets)),
		meta, status)
	runtime.KeepAlive(feeds)
	runtime.KeepAlive(fetches)
	runtime.KeepAlive(targets)
	if C.TF_GetCode(status) != C.TF_OK {
		return nil, fmt.Errorf("graphs: run: %s", C.GoString(C.TF_Message(status)))
	}
	res := make([]*tf.Tensor, len(fetches))
	var fetchErr error
	for i, p := range fetchVals {
		t, err := goTensor((*C.TF_Tensor)(p))
		C.TF_DeleteTensor((*C.TF_Tensor)(p))
		if err != nil && fetchErr == nil {
			fetchErr = fmt.Errorf("graphs: run: fetch %d (%s): %w", i, fetches[i].Op.Name(), err)
		}
		res[i] = t
	}
	if fetchErr != nil {
		return nil, fetchErr
	}
	if s.trace == nil {
		return res, nil
	}
	md := &for_core_protos_go_proto.RunMetadata{}
	if err := proto.Unmarshal(C.GoBytes(meta.data, C.int(meta.length)), md); err != nil {
		return nil, fmt.Errorf("graphs: run: reading RunMetadata: %w", err)
	}
	s.trace(md.GetStepStats())
	return res, nil
}

// goTensor copies a TF_Tensor of a numeric dtype into a graft Tensor.
func goTensor(t *C.TF_Tensor) (*tf.Tensor, error) {
	dims := make([]int64, int(C.TF_NumDims(t)))
	for i := range dims {
		dims[i] = int64(C.TF_Dim(t, C.int(i)))
	}
	data := C.GoBytes(C.TF_TensorData(t), C.int(C.TF_TensorByteSize(t)))
	return tf.ReadTensor(tf.DataType(C.TF_TensorType(t)), dims, bytes.NewReader(data))
}

// firstField is the value of the first field of the struct p points to, a C handle in
// graft's Session, Operation and Tensor (traceHandlesOK checks that it is).
func firstField[T any](p *T) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(p)) }

// traceHandlesOK checks that graft's Session, Operation and Tensor still begin with their
// C handle, a pointer field named c, as in graft v0.10.0.
func traceHandlesOK() error {
	for _, t := range []reflect.Type{reflect.TypeFor[tf.Session](), reflect.TypeFor[tf.Operation](), reflect.TypeFor[tf.Tensor]()} {
		if t.NumField() == 0 || t.Field(0).Name != "c" || t.Field(0).Type.Kind() != reflect.Pointer || t.Field(0).Offset != 0 {
			return fmt.Errorf("graphs: tracing a run: graft's %s no longer starts with its C handle c", t)
		}
	}
	return nil
}

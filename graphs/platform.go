package graphs

// #cgo LDFLAGS: -ltensorflow
// #include <stdlib.h>
// #include "tensorflow/c/c_api.h"
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/kernel_def_go_proto"
	"google.golang.org/protobuf/proto"
)

// Device is one device a TensorFlow session can place ops on, as TF_SessionListDevices
// reports it. TensorFlow's C API gives no description of a GPU (its model name is in
// DeviceAttributes.physical_device_desc, which TF_DeviceList does not expose); the
// memory TensorFlow may use on it is what tells GPUs apart.
type Device struct {
	Name        string // "/job:localhost/replica:0/task:0/device:GPU:0"
	Type        string // "CPU", "GPU"
	MemoryBytes int64  // the memory TensorFlow may allocate on it
}

// Short is the device's name without its job, replica and task: "GPU:0".
func (d Device) Short() string {
	name := d.Name
	if i := strings.LastIndex(name, "/device:"); i >= 0 {
		name = name[i+len("/device:"):]
	}
	return name
}

// Platform is what tfrun builds a graph for: the devices TensorFlow's sessions see, and
// whether the library is TensorFlow's CUDA build. It decides the choices tfrun made from
// measurements on CPUs (conv.go's sub-pixel and batch-contracted convolution forms, the
// grappler cut-off of GrapplerMaxOps, a classifier's unrolled LSTM and its thread layout):
// with a GPU they give way to TensorFlow's own kernels and settings, which on a GPU are
// cuDNN's and cuBLAS's.
type Platform struct {
	Devices []Device
	CUDA    bool // the library has GPU kernels (TensorFlow's CUDA build)
}

// GPU reports whether any device is a GPU.
func (p Platform) GPU() bool {
	for _, d := range p.Devices {
		if d.Type == "GPU" {
			return true
		}
	}
	return false
}

// String lists the devices, GPUs with the memory TensorFlow may use on them:
// "CPU:0, GPU:0 (79.1 GiB)".
func (p Platform) String() string {
	names := make([]string, len(p.Devices))
	for i, d := range p.Devices {
		names[i] = d.Short()
		if d.Type == "GPU" && d.MemoryBytes > 0 {
			names[i] += fmt.Sprintf(" (%.1f GiB)", float64(d.MemoryBytes)/(1<<30))
		}
	}
	return strings.Join(names, ", ")
}

// LocalPlatform is the platform of this process, found once: the devices of a session
// on an empty graph (with the ConfigProto every tfrun session gets: GPU memory allocated
// as needed) and whether the library registers GPU kernels. Every Graph is built for it
// unless SetPlatform says otherwise.
func LocalPlatform() (Platform, error) { return localPlatform() }

var localPlatform = sync.OnceValues(func() (Platform, error) {
	raw, err := sessionConfig(nil, nil)
	if err != nil {
		return Platform{}, err
	}
	s, err := tf.NewSession(tf.NewGraph(), &tf.SessionOptions{Config: raw})
	if err != nil {
		return Platform{}, fmt.Errorf("graphs: listing TensorFlow's devices: %w", err)
	}
	defer s.Close()
	list, err := s.ListDevices()
	if err != nil {
		return Platform{}, fmt.Errorf("graphs: listing TensorFlow's devices: %w", err)
	}
	p := Platform{}
	for _, d := range list {
		p.Devices = append(p.Devices, Device{Name: d.Name, Type: d.Type, MemoryBytes: d.MemoryLimitBytes})
	}
	if p.CUDA, err = hasGPUKernels("MatMul"); err != nil {
		return Platform{}, err
	}
	return p, nil
})

// hasGPUKernels reports whether TensorFlow registers a GPU kernel for the op type.
func hasGPUKernels(opType string) (bool, error) {
	name := C.CString(opType)
	defer C.free(unsafe.Pointer(name))
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	buf := C.TF_GetRegisteredKernelsForOp(name, status)
	if C.TF_GetCode(status) != C.TF_OK {
		return false, fmt.Errorf("graphs: listing the kernels of %s: %s", opType, C.GoString(C.TF_Message(status)))
	}
	defer C.TF_DeleteBuffer(buf)
	var list kernel_def_go_proto.KernelList
	if err := proto.Unmarshal(C.GoBytes(unsafe.Pointer(buf.data), C.int(buf.length)), &list); err != nil {
		return false, fmt.Errorf("graphs: reading the kernels of %s: %w", opType, err)
	}
	for _, k := range list.Kernel {
		if k.DeviceType == "GPU" {
			return true, nil
		}
	}
	return false, nil
}

// Platform is the platform the graph is built for (LocalPlatform unless SetPlatform).
func (g *Graph) Platform() Platform { return g.platform }

// SetPlatform makes g built for p instead of the local platform: the ops emitted after
// the call, and the ConfigProto of its sessions, follow p. Tests use it to build for a
// GPU on a machine without one.
func (g *Graph) SetPlatform(p Platform) { g.platform = p }

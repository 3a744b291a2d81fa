package main

import (
	"bytes"
	"testing"

	"github.com/tfrun/tfrun/graphs"
)

func TestWriteVersion(t *testing.T) {
	cpu := graphs.Device{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU"}
	gpu := graphs.Device{Name: "/job:localhost/replica:0/task:0/device:GPU:0", Type: "GPU", MemoryBytes: 81_000 << 20}
	for _, tt := range []struct {
		name string
		p    graphs.Platform
		want string
	}{
		{"CPU build", graphs.Platform{Devices: []graphs.Device{cpu}},
			"tfrun " + version + " (TensorFlow 2.18.0, CPU build)\ndevices: CPU:0\n"},
		{"CUDA build, no GPU", graphs.Platform{CUDA: true, Devices: []graphs.Device{cpu}},
			"tfrun " + version + " (TensorFlow 2.18.0, CUDA build)\ndevices: CPU:0 (no GPU: TensorFlow found no NVIDIA driver or no visible CUDA device)\n"},
		{"CUDA build, a GPU", graphs.Platform{CUDA: true, Devices: []graphs.Device{cpu, gpu}},
			"tfrun " + version + " (TensorFlow 2.18.0, CUDA build)\ndevices: CPU:0, GPU:0 (79.1 GiB)\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeVersion(&b, "2.18.0", tt.p)
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

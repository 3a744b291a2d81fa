package graphs_test

import (
	"slices"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// cpuPlatform and gpuPlatform are the two platforms tests build for, whatever machine
// they run on.
var (
	cpuPlatform = graphs.Platform{Devices: []graphs.Device{
		{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU", MemoryBytes: 268435456},
	}}
	gpuPlatform = graphs.Platform{CUDA: true, Devices: []graphs.Device{
		{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU", MemoryBytes: 268435456},
		{Name: "/job:localhost/replica:0/task:0/device:GPU:0", Type: "GPU", MemoryBytes: 79_000 << 20},
	}}
)

// newCPUGraph is graphs.NewGraph built for a CPU, so that tests of the CPU forms hold on a
// machine with a GPU too.
func newCPUGraph(dtype tf.DataType, seed uint64) *graphs.Graph {
	g := graphs.NewGraph(dtype, seed)
	g.SetPlatform(cpuPlatform)
	return g
}

func TestPlatform(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    graphs.Platform
		gpu  bool
		str  string
	}{
		{"none", graphs.Platform{}, false, ""},
		{"CPU", cpuPlatform, false, "CPU:0"},
		{"CPU and GPU", gpuPlatform, true, "CPU:0, GPU:0 (77.1 GiB)"},
		{"CUDA build without a GPU", graphs.Platform{CUDA: true, Devices: cpuPlatform.Devices}, false, "CPU:0"},
		{"a task's devices", graphs.Platform{Devices: []graphs.Device{
			{Name: "/job:worker/replica:0/task:1/device:CPU:0", Type: "CPU"},
			{Name: "/job:worker/replica:0/task:1/device:GPU:1", Type: "GPU"},
		}}, true, "CPU:0, GPU:1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.GPU(); got != tt.gpu {
				t.Errorf("GPU() = %v, want %v", got, tt.gpu)
			}
			if got := tt.p.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
		})
	}
}

// The local platform is what TensorFlow reports: a CPU:0 always, a GPU only from the
// CUDA build, and every new graph is built for it until SetPlatform.
func TestLocalPlatform(t *testing.T) {
	p, err := graphs.LocalPlatform()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range p.Devices {
		names = append(names, d.Short())
		if d.Type == "GPU" && !p.CUDA {
			t.Errorf("device %s is a GPU, but the library registers no GPU kernels", d.Name)
		}
	}
	if !slices.Contains(names, "CPU:0") {
		t.Errorf("devices %v: no CPU:0", names)
	}
	g := graphs.NewGraph(tf.Float, 1)
	if got := g.Platform().String(); got != p.String() {
		t.Errorf("a new graph is built for %q, want the local platform %q", got, p.String())
	}
	g.SetPlatform(gpuPlatform)
	if !g.Platform().GPU() {
		t.Error("SetPlatform(gpuPlatform): the graph is not built for a GPU")
	}
}

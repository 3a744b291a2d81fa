package graphs

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"github.com/wamuir/graft/tensorflow/op"
	"google.golang.org/protobuf/proto"

	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

var testGPU = Platform{CUDA: true, Devices: []Device{
	{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU"},
	{Name: "/job:localhost/replica:0/task:0/device:GPU:0", Type: "GPU"},
}}

// A graph above GrapplerMaxOps, or with an unrolled LSTM, runs without grappler on a CPU,
// with it on a GPU; either way the rest of its ConfigProto is kept and GPU memory is
// allocated as needed.
func TestSessionConfig(t *testing.T) {
	in := &for_core_protos_go_proto.ConfigProto{IntraOpParallelismThreads: 3}
	raw, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		ops  int
		gpu  bool
		lstm func(s *Scope, x, w, b tf.Output) // builds an LSTM of 3 steps, 2 units, or nil
		off  bool
	}{
		{"small", 10, false, nil, false},
		{"at the limit", GrapplerMaxOps, false, nil, false},
		{"large", GrapplerMaxOps + 1, false, nil, true},
		{"large on a GPU", GrapplerMaxOps + 1, true, nil, false},
		{"an unrolled LSTM", 10, false, func(s *Scope, x, w, b tf.Output) { s.UnrolledLSTM(x, w, b, 3, 2) }, true},
		{"an LSTM of cell kernels", 10, false, func(s *Scope, x, w, b tf.Output) { s.KernelLSTM(x, w, b, 3, 2, false) }, true},
		{"an unrolled LSTM on a GPU", 10, true, func(s *Scope, x, w, b tf.Output) { s.UnrolledLSTM(x, w, b, 3, 2) }, false},
		{"a fused LSTM", 10, false, func(s *Scope, x, w, b tf.Output) { s.BlockLSTM(x, w, b, 2) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGraph(tf.Float, 1)
			g.SetPlatform(Platform{Devices: testGPU.Devices[:1]})
			if tt.gpu {
				g.SetPlatform(testGPU)
			}
			s := g.Root()
			if tt.lstm != nil {
				if err := lstmkernel.Register(); err != nil {
					t.Fatal(err)
				}
				in := s.Placeholder("x", tf.Float, 3, 3, 4) // 3 steps, a batch of 3
				tt.lstm(s, in, s.Placeholder("w", tf.Float, 6, 8), s.Placeholder("b", tf.Float, 8))
				if err := s.Err(); err != nil {
					t.Fatal(err)
				}
			}
			x := s.Const(float32(1))
			for len(g.tfg.Operations()) < tt.ops {
				x = op.Identity(s.Op("Identity"), x)
			}
			got, err := sessionConfig(g, raw)
			if err != nil {
				t.Fatal(err)
			}
			cfg := &for_core_protos_go_proto.ConfigProto{}
			if err := proto.Unmarshal(got, cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.IntraOpParallelismThreads != 3 {
				t.Errorf("intra_op_parallelism_threads %d, want 3 (kept)", cfg.IntraOpParallelismThreads)
			}
			off := cfg.GetGraphOptions().GetRewriteOptions().GetDisableMetaOptimizer()
			if off != tt.off {
				t.Errorf("%d operations: disable_meta_optimizer %v, want %v", tt.ops, off, tt.off)
			}
			if !cfg.GetGpuOptions().GetAllowGrowth() {
				t.Error("gpu_options.allow_growth is off")
			}
			if cfg.LogDevicePlacement {
				t.Errorf("log_device_placement on without %s", LogDevicePlacementEnv)
			}
		})
	}
}

// gpu_options the caller set are kept as they are; LogDevicePlacementEnv=1 turns on
// log_device_placement; a ConfigProto that does not decode is an error.
func TestSessionConfigOptions(t *testing.T) {
	raw, err := proto.Marshal(&for_core_protos_go_proto.ConfigProto{GpuOptions: &for_core_protos_go_proto.GPUOptions{PerProcessGpuMemoryFraction: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(LogDevicePlacementEnv, "1")
	got, err := sessionConfig(nil, raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &for_core_protos_go_proto.ConfigProto{}
	if err := proto.Unmarshal(got, cfg); err != nil {
		t.Fatal(err)
	}
	if g := cfg.GetGpuOptions(); g.GetAllowGrowth() || g.GetPerProcessGpuMemoryFraction() != 0.5 {
		t.Errorf("gpu_options %v, want the caller's (per_process_gpu_memory_fraction 0.5 only)", g)
	}
	if !cfg.LogDevicePlacement {
		t.Errorf("%s=1: log_device_placement off", LogDevicePlacementEnv)
	}
	if _, err := sessionConfig(nil, []byte{0xff}); err == nil {
		t.Error("a ConfigProto that does not decode: no error")
	}
}

package classifier

import (
	"runtime"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// The devices the choices are made for: a CPU only, and a CPU with a GPU.
var (
	cpu = graphs.Platform{Devices: []graphs.Device{{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU"}}}
	gpu = graphs.Platform{CUDA: true, Devices: []graphs.Device{
		{Name: "/job:localhost/replica:0/task:0/device:CPU:0", Type: "CPU"},
		{Name: "/job:localhost/replica:0/task:0/device:GPU:0", Type: "GPU"},
	}}
)

func TestSessionThreads(t *testing.T) {
	lstm := func(impl string) builders.Layer {
		l := builders.NewLSTM("lstm", 4)
		l.Implementation = impl
		return l
	}
	bi := &builders.Bidirectional{Layer: lstm(builders.LSTMUnrolled)}
	cores := runtime.NumCPU()
	for _, tt := range []struct {
		name    string
		layers  []builders.Layer
		threads int
		gpu     bool
		want    graphs.SessionOptions
	}{
		{"fused LSTM, TensorFlow's choice", []builders.Layer{lstm(builders.LSTMFused)}, 0, false, graphs.SessionOptions{}},
		{"unrolled LSTM", []builders.Layer{builders.NewDropout("d", 0.1), lstm(builders.LSTMUnrolled)}, 0, false,
			graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: cores}},
		{"unrolled LSTM in a Bidirectional", []builders.Layer{bi}, 0, false, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: cores}},
		{"LSTM with tfrun's cell kernels", []builders.Layer{lstm(builders.LSTMCellKernel)}, 0, false, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: cores}},
		{"LSTM with tfrun's cell kernels, the batch split", []builders.Layer{lstm(builders.LSTMCellKernelSplit)}, 0, false, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: cores}},
		{"the same in bfloat16", []builders.Layer{lstm(builders.LSTMCellKernelSplitBFloat16)}, 0, false, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: cores}},
		{"-threads 1 wins", []builders.Layer{lstm(builders.LSTMUnrolled)}, 1, false, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1}},
		{"-threads 4", []builders.Layer{lstm(builders.LSTMUnrolled)}, 4, false, graphs.SessionOptions{IntraOpThreads: 4, InterOpThreads: 2}},
		{"no LSTM", []builders.Layer{builders.NewDropout("d", 0.1)}, 0, false, graphs.SessionOptions{}},
		{"unrolled LSTM on a GPU, TensorFlow's choice", []builders.Layer{lstm(builders.LSTMUnrolled)}, 0, true, graphs.SessionOptions{}},
		{"-threads 2 on a GPU", []builders.Layer{lstm(builders.LSTMUnrolled)}, 2, true, graphs.SessionOptions{IntraOpThreads: 2, InterOpThreads: 2}},
	} {
		p := cpu
		if tt.gpu {
			p = gpu
		}
		if got := sessionThreads(tt.layers, tt.threads, p); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// On a CPU a large batch unrolls the LSTM (the faster there); on a GPU it stays
// TensorFlow's fused kernel ("" builds BlockLSTMV2 in float32); a config's own choice
// stays either way.
func TestChooseLSTMs(t *testing.T) {
	for _, tt := range []struct {
		name  string
		set   string
		batch int
		p     graphs.Platform
		want  string
	}{
		{"CPU batch 32", "", 32, cpu, builders.LSTMFused},
		{"CPU batch 512", "", 512, cpu, builders.LSTMUnrolled},
		{"GPU batch 512", "", 512, gpu, ""},
		{"GPU batch 32", "", 32, gpu, ""},
		{"GPU, the config's unrolled", builders.LSTMUnrolled, 512, gpu, builders.LSTMUnrolled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := builders.NewLSTM("lstm", 4)
			l.Implementation = tt.set
			b := &builders.Bidirectional{Layer: builders.NewLSTM("lstm_1", 4)}
			b.Layer.(*builders.LSTM).Implementation = tt.set
			t.Setenv(lstmkernel.EnvVar, "0") // the choices without tfrun's own kernels (see TestChooseLSTMsKernels)
			if err := chooseLSTMs([]builders.Layer{l, b}, tt.batch, tt.p, kernelChoice{}); err != nil {
				t.Fatal(err)
			}
			if l.Implementation != tt.want {
				t.Errorf("LSTM implementation %q, want %q", l.Implementation, tt.want)
			}
			if got := b.Layer.(*builders.LSTM).Implementation; got != tt.want {
				t.Errorf("Bidirectional's LSTM implementation %q, want %q", got, tt.want)
			}
		})
	}
}

// With tfrun's kernels on, a fresh run's large batch gets the cell kernels; a resumed run
// builds what its checkpoint recorded (none recorded: the forms of a tfrun without them),
// and the variable turns the kernels off.
func TestChooseLSTMsKernels(t *testing.T) {
	kernels := map[string]string{"lstm": builders.LSTMCellKernel, "lstm_1": builders.LSTMCellKernel}
	for _, tt := range []struct {
		name  string
		env   string
		batch int
		p     graphs.Platform
		k     kernelChoice
		want  string
		err   string
	}{
		{"fresh, batch 512, default (off)", "", 512, cpu, kernelChoice{}, builders.LSTMUnrolled, ""},
		{"fresh, batch 512", "1", 512, cpu, kernelChoice{}, builders.LSTMCellKernel, ""},
		{"fresh, batch 32", "", 32, cpu, kernelChoice{}, builders.LSTMFused, ""},
		{"fresh, turned off", "0", 512, cpu, kernelChoice{}, builders.LSTMUnrolled, ""},
		{"fresh on a GPU", "", 512, gpu, kernelChoice{}, "", ""},
		{"resumed, none recorded", "", 512, cpu, kernelChoice{resumed: true}, builders.LSTMUnrolled, ""},
		{"resumed, none recorded, batch 32", "", 32, cpu, kernelChoice{resumed: true}, builders.LSTMFused, ""},
		{"resumed, cell kernels recorded", "", 512, cpu, kernelChoice{resumed: true, forms: kernels}, builders.LSTMCellKernel, ""},
		{"resumed, unrolled recorded", "", 512, cpu, kernelChoice{resumed: true, forms: map[string]string{"lstm": "unrolled", "lstm_1": "unrolled"}}, builders.LSTMUnrolled, ""},
		{"resumed, recorded at batch 32", "", 32, cpu, kernelChoice{resumed: true, forms: kernels}, builders.LSTMCellKernel, ""},
		{"resumed, turned off", "off", 512, cpu, kernelChoice{resumed: true, forms: kernels}, builders.LSTMUnrolled, ""},
		{"resumed, split recorded, turned off", "off", 512, cpu, kernelChoice{resumed: true, forms: map[string]string{"lstm": builders.LSTMCellKernelSplit, "lstm_1": builders.LSTMCellKernelSplit}}, builders.LSTMUnrolled, ""},
		{"resumed, split bfloat16 recorded, turned off", "off", 512, cpu, kernelChoice{resumed: true, forms: map[string]string{"lstm": builders.LSTMCellKernelSplitBFloat16, "lstm_1": builders.LSTMCellKernelSplitBFloat16}}, builders.LSTMUnrolledBFloat16, ""},
		{"resumed, split recorded", "", 512, cpu, kernelChoice{resumed: true, forms: map[string]string{"lstm": builders.LSTMCellKernelSplit, "lstm_1": builders.LSTMCellKernelSplit}}, builders.LSTMCellKernelSplit, ""},
		{"resumed on a GPU, recorded", "", 512, gpu, kernelChoice{resumed: true, forms: map[string]string{"lstm": "", "lstm_1": ""}}, "", ""},
		{"resumed, a layer missing", "", 512, cpu, kernelChoice{resumed: true, forms: map[string]string{"lstm": "fused"}}, "", `no kernel form for layer "lstm_1"`},
		{"resumed, unknown form", "", 512, cpu, kernelChoice{resumed: true, forms: map[string]string{"lstm": "cudnn", "lstm_1": "fused"}}, "", `kernel form "cudnn" for layer "lstm"`},
		{"bad variable", "yes", 512, cpu, kernelChoice{}, "", `TFRUN_CUSTOM_KERNELS="yes"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(lstmkernel.EnvVar, tt.env)
			l := builders.NewLSTM("lstm", 4)
			b := &builders.Bidirectional{Layer: builders.NewLSTM("lstm_1", 4)}
			err := chooseLSTMs([]builders.Layer{l, b}, tt.batch, tt.p, tt.k)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []string{l.Implementation, b.Layer.(*builders.LSTM).Implementation} {
				if got != tt.want {
					t.Errorf("implementation %q, want %q", got, tt.want)
				}
			}
			if forms := lstmForms([]builders.Layer{l, b}); forms["lstm"] != tt.want || forms["lstm_1"] != tt.want || len(forms) != 2 {
				t.Errorf("recorded forms %v", forms)
			}
		})
	}
}

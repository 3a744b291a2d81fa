package autotune

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// OneDNNEnvVar is TensorFlow's switch for its oneDNN kernels: part of the machine, since
// the winners differ with it.
const OneDNNEnvVar = "TF_ENABLE_ONEDNN_OPTS"

// Machine is what a measured winner holds for: the same op may win in another form on
// another CPU, TensorFlow build, oneDNN setting or thread count.
type Machine struct {
	CPU        string `json:"cpu"`        // /proc/cpuinfo's model name, or GOARCH
	CPUFlags   string `json:"cpu_flags"`  // a hash of the CPU's feature flags (AVX2, AVX-512, AMX, ...)
	TensorFlow string `json:"tensorflow"` // TF_Version()
	OneDNN     string `json:"onednn"`     // TF_ENABLE_ONEDNN_OPTS, "default" when unset
	Threads    int    `json:"threads"`    // intra-op threads of the sessions measured
	GOOS       string `json:"goos"`
}

// ThisMachine describes the machine this process runs on, for sessions with opts' thread
// pools (0 threads: TensorFlow's choice, one per CPU).
func ThisMachine(opts graphs.SessionOptions) Machine {
	m := Machine{CPU: runtime.GOARCH, TensorFlow: tf.Version(), OneDNN: "default", Threads: opts.IntraOpThreads, GOOS: runtime.GOOS}
	if v, ok := os.LookupEnv(OneDNNEnvVar); ok {
		m.OneDNN = v
	}
	if m.Threads <= 0 {
		m.Threads = runtime.NumCPU()
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		model, flags := parseCPUInfo(string(b))
		if model != "" {
			m.CPU = model
		}
		m.CPUFlags = flags
	}
	return m
}

// parseCPUInfo returns the first processor's model name and a short hash of its sorted
// flags (x86 "flags", ARM "Features").
func parseCPUInfo(info string) (model, flags string) {
	sc := bufio.NewScanner(strings.NewReader(info))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var fl []string
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		case "flags", "Features":
			if fl == nil {
				fl = strings.Fields(v)
			}
		}
	}
	if fl == nil {
		return model, ""
	}
	slices.Sort(fl)
	sum := sha256.Sum256([]byte(strings.Join(fl, " ")))
	return model, hex.EncodeToString(sum[:6])
}

// ID names the machine in a file name: a hash of every field.
func (m Machine) ID() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%q %q %q %q %d %q", m.CPU, m.CPUFlags, m.TensorFlow, m.OneDNN, m.Threads, m.GOOS))
	return hex.EncodeToString(sum[:8])
}

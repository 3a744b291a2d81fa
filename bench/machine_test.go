package bench

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got := CPUModel(info); got != "AMD EPYC 7B13" {
		t.Errorf("CPUModel = %q, want %q", got, "AMD EPYC 7B13")
	}
	// A virtual machine's family name alone: the family and model numbers tell a Zen 3
	// from a Zen 5.
	generic := "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n" +
		"processor\t: 1\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\n"
	if got, want := CPUModel(generic), "AMD EPYC (family 26, model 2)"; got != want {
		t.Errorf("CPUModel = %q, want %q", got, want)
	}
	if got, want := CPUModel("model name\t: AMD EPYC\n"), "AMD EPYC"; got != want {
		t.Errorf("CPUModel without family and model = %q, want %q", got, want)
	}
	if got := CPUModel("processor\t: 0\n"); got != "" {
		t.Errorf("CPUModel without a model name = %q, want empty", got)
	}
}

func TestMemTotal(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"MemTotal:       24576000 kB\nMemFree:  1 kB\n", 24576000 * 1024},
		{"MemFree:  1 kB\n", 0},
		{"MemTotal: lots\n", 0},
	}
	for _, tt := range tests {
		if got := MemTotal(tt.in); got != tt.want {
			t.Errorf("MemTotal(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestLoadAverage(t *testing.T) {
	if got := LoadAverage("3.25 3.04 2.66 3/412 25453\n"); got != "3.25 3.04 2.66" {
		t.Errorf("LoadAverage = %q, want %q", got, "3.25 3.04 2.66")
	}
	if got := LoadAverage(""); got != "" {
		t.Errorf("LoadAverage of nothing = %q, want empty", got)
	}
}

// TestDeps keeps package bench free of TensorFlow and cgo: the comparison runs both sides
// as processes and needs neither. Its tfrun imports are configs (the precision names) and
// internal/atomicfile (its atomic writes), both free of TensorFlow.
func TestDeps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}`, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{"github.com/tfrun/tfrun/bench", "github.com/tfrun/tfrun/configs", "github.com/tfrun/tfrun/internal/atomicfile"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("go list line %q", line)
		}
		path, std, cgo := f[0], f[1] == "true", f[2] != "0"
		if strings.Contains(path, "tensorflow") || strings.Contains(path, "graft") ||
			strings.HasPrefix(path, "github.com/tfrun/tfrun/") && !slices.Contains(allowed, path) {
			t.Errorf("bench depends on %s", path)
		}
		if cgo && !std {
			t.Errorf("bench depends on cgo package %s", path)
		}
	}
}

func TestCPUExtensions(t *testing.T) {
	tests := []struct {
		name, info string
		want       []string
	}{
		{"zen3", "processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 sha_ni\nprocessor\t: 1\nflags\t\t: avx512f\n", []string{"AVX2", "FMA"}},
		{"sapphire rapids", "flags\t\t: avx2 fma avx512f avx512_vnni avx512_bf16 avx_vnni amx_bf16 amx_tile amx_int8\n",
			[]string{"AVX2", "FMA", "AVX-512", "AVX512_VNNI", "AVX512_BF16", "AVX_VNNI", "AMX", "AMX_BF16", "AMX_INT8"}},
		{"no flags line (ARM's are Features)", "processor\t: 0\nFeatures\t: fp asimd\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CPUExtensions(tt.info); !slices.Equal(got, tt.want) {
				t.Errorf("CPUExtensions = %q, want %q", got, tt.want)
			}
		})
	}
	if got := missingExtensions([]string{"AVX2", "FMA"}); !slices.Equal(got, []string{"AVX-512", "AVX512_BF16", "AMX"}) {
		t.Errorf("missingExtensions(AVX2, FMA) = %q", got)
	}
}

func TestOneDNNSetting(t *testing.T) {
	on := "2026-12-06 15:08:25.613268: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on. You may see ..."
	tests := []struct {
		env         string
		set, logged bool
		stderr      string
		want        string
	}{
		{"1", true, true, on, "on (TF_ENABLE_ONEDNN_OPTS=1)"},
		{"0", true, true, "I cpu_feature_guard.cc:210] ...", "off (TF_ENABLE_ONEDNN_OPTS=0)"},
		{"", false, true, on, "on (TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's default on this CPU)"},
		{"", false, true, "", "off (TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's default on this CPU)"},
		{"", false, false, "", "TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's default on this CPU"},
		{"1", true, false, "", "TF_ENABLE_ONEDNN_OPTS=1"},
	}
	for _, tt := range tests {
		if got := OneDNNSetting(tt.env, tt.set, tt.stderr, tt.logged); got != tt.want {
			t.Errorf("OneDNNSetting(%q, %v, %q, %v) = %q, want %q", tt.env, tt.set, tt.stderr, tt.logged, got, tt.want)
		}
	}
}

func TestMachineSlug(t *testing.T) {
	tests := []struct {
		m    Machine
		want string
	}{
		{Machine{CPU: "AMD EPYC", Extensions: []string{"AVX2", "FMA"}}, "amd-epyc-avx2"},
		{Machine{CPU: "AMD EPYC (family 26, model 2)", Extensions: []string{"AVX2", "AVX-512", "AVX512_BF16"}}, "amd-epyc-family-26-model-2-avx-512"},
		{Machine{CPU: "AMD EPYC 9B14", Extensions: []string{"AVX2", "FMA", "AVX-512", "AVX512_BF16"}}, "amd-epyc-9b14-avx-512"},
		{Machine{CPU: "Intel(R) Xeon(R) Platinum 8581C CPU @ 2.10GHz", Extensions: []string{"AVX2", "AVX-512", "AMX"}},
			"intel-r-xeon-r-platinum-8581c-cpu-2-10ghz-amx"},
		{Machine{}, "unknown"},
	}
	for _, tt := range tests {
		if got := MachineSlug(tt.m); got != tt.want {
			t.Errorf("MachineSlug(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

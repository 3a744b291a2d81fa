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

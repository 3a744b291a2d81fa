package configs

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps configs free of TensorFlow and cgo: builders may import configs, never the
// reverse, and a config can be checked on a machine without libtensorflow.
func TestDeps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-deps",
		"-f", `{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}`, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("go list line %q", line)
		}
		path, std, cgo := f[0], f[1] == "true", f[2] != "0"
		if strings.Contains(path, "tensorflow") || strings.Contains(path, "graft") ||
			strings.HasPrefix(path, "github.com/tfrun/tfrun/") && path != "github.com/tfrun/tfrun/configs" {
			t.Errorf("configs depends on %s", path)
		}
		if cgo && !std {
			t.Errorf("configs depends on cgo package %s", path)
		}
	}
}

package datasets

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoTensorFlowNoCgo keeps the package free of TensorFlow and cgo, as
// tfrun's layering requires (configs and datasets need no TensorFlow): its
// dependencies are the standard library and pure-Go golang.org/x/ modules
// (golang.org/x/image/bmp), and neither it nor any of them has cgo files.
func TestNoTensorFlowNoCgo(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const self = "github.com/tfrun/tfrun/datasets"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("unexpected go list line %q", line)
		}
		path, standard, cgoFiles := fields[0], fields[1], fields[2]
		lower := strings.ToLower(path)
		switch {
		case strings.Contains(lower, "tensorflow") || strings.Contains(lower, "graft"):
			t.Errorf("depends on %s: datasets must not need TensorFlow", path)
		case standard == "true":
			// The standard library may use cgo internally (net, os/user); that
			// is the toolchain's business, not a dependency of ours.
		case path != self && !strings.HasPrefix(path, "golang.org/x/"):
			t.Errorf("depends on %s, want the standard library and golang.org/x/ only", path)
		case cgoFiles != "0":
			t.Errorf("%s has cgo files; datasets and its dependencies must be pure Go", path)
		}
	}
}

package plots

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoTensorFlowOrCgo keeps the package pure Go: neither it nor any
// dependency may import TensorFlow (graft) or use cgo.
func TestNoTensorFlowOrCgo(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{len .CgoFiles}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		pkg, cgoFiles, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch {
		case pkg == "C" || pkg == "runtime/cgo" || cgoFiles != "0":
			t.Errorf("dependency %s uses cgo", pkg)
		case strings.Contains(pkg, "tensorflow") || strings.Contains(pkg, "wamuir/graft"):
			t.Errorf("dependency %s is TensorFlow", pkg)
		}
	}
}

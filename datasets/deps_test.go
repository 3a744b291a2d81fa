package datasets

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the package free of TensorFlow and of any
// non-standard or cgo dependency of its own, as tfrun's layering requires
// (configs and datasets need no TensorFlow).
func TestStandardLibraryOnly(t *testing.T) {
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
		switch {
		case path == self && cgoFiles != "0":
			t.Errorf("%s has cgo files", self)
		case path != self && standard != "true":
			t.Errorf("depends on %s, want the standard library only", path)
		}
	}
}

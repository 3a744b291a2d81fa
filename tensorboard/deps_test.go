package tensorboard

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureGo keeps the package free of cgo and libtensorflow, and of the rest
// of tfrun: besides the standard library it may use only graft's generated
// protocol buffer packages and the protobuf runtime.
func TestPureGo(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const (
		self   = "github.com/tfrun/tfrun/tensorboard"
		tfrun  = "github.com/tfrun/tfrun/"
		graft  = "github.com/wamuir/graft/tensorflow/"
		protos = "google.golang.org/protobuf/"
	)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("unexpected go list line %q", line)
		}
		path, standard, cgoFiles := fields[0], fields[1], fields[2]
		switch {
		case cgoFiles != "0" || path == "C" || path == "runtime/cgo":
			t.Errorf("depends on %s, which uses cgo", path)
		case path == self || standard == "true":
		case strings.HasPrefix(path, tfrun):
			t.Errorf("depends on %s, want no other tfrun package", path)
		case strings.HasPrefix(path, graft) && strings.HasSuffix(path, "_go_proto"):
		case strings.HasPrefix(path, protos):
		default:
			t.Errorf("depends on %s, want only the standard library, graft's *_go_proto packages and %s...", path, protos)
		}
	}
}

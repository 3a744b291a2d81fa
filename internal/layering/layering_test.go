package layering

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tfrun/tfrun/"

// layers ranks every package: a package may depend (directly or not) only on packages of a
// lower rank. Rank 0 needs no other tfrun package.
var layers = map[string]int{
	"configs": 0, "datasets": 0, "plots": 0, "metrics": 0, "tensorboard": 0, "graphs": 0,
	"internal/atomicfile": 0, "internal/mutate": 0, "internal/hdf5": 0, "kerasfile": 1, "importer": 4, "bench": 1, "graphs/lstmkernel": 0, "graphs/dropoutkernel": 0, "graphs/autotune": 1,
	"builders": 1, "checkpoints": 1, "internal/gradcheck": 1, "bench/cmd/peak": 2, "bench/fma": 0,
	"assemble": 2, "runner": 2,
	"classifier": 3, "gan": 3,
	"ganeval": 4, "bench/cmd/compare": 4, "export": 4,
	"cmd/tfrun": 6, "bench/cmd/tfrun-bench": 5, "bench/cmd/trainsize": 5, "examples/serve": 5, "export/check/reference": 5,
	"internal/layering": 0, "internal/codecheck": 0, "graphs/activationkernel": 0, "graphs/convkernel": 0, "third_party": 0, "internal/runtest": 3,
	// the Go API: package tfrun (the module's root, "."), its layers, the cgo setup for other modules
	"distributed": 1, "layers": 1, ".": 5, "cmd/tfrun-env": 1, "examples/imdb": 6, "examples/callback": 6,
	"examples/custom_loss": 6, "examples/functional": 6, "examples/gan": 6, "examples/iterator": 6,
}

// noTensorFlow are the packages that must build without libtensorflow.
var noTensorFlow = []string{"configs", "internal/hdf5", "kerasfile", "layers", "cmd/tfrun-env", "third_party", "datasets", "plots", "metrics", "tensorboard", "internal/atomicfile", "internal/mutate", "bench", "bench/cmd/compare", "bench/fma"}

// TestImportsPointDown checks every package's dependencies (go list -deps) against the
// ranks: imports point one way, from cmd/tfrun down to graphs.
func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := relative(fields[0])
		seen[pkg] = true
		rank, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s has no rank in layering_test.go: give it one", pkg)
			continue
		}
		for _, dep := range fields[1:] {
			if name := relative(dep); name != dep {
				if r, known := layers[name]; known && r >= rank {
					t.Errorf("%s (rank %d) depends on %s (rank %d): imports must point down", pkg, rank, name, r)
				}
			}
			if dep == "github.com/wamuir/graft/tensorflow" && slices.Contains(noTensorFlow, pkg) {
				t.Errorf("%s depends on TensorFlow (%s); it must build without it", pkg, dep)
			}
		}
	}
	for pkg := range layers {
		if !seen[pkg] {
			t.Errorf("layering_test.go ranks %s, which go list does not know", pkg)
		}
	}
}

// relative is a tfrun package's path inside the module ("." for the root package, the Go
// API), or path itself for a package of another module.
func relative(path string) string {
	if path == strings.TrimSuffix(module, "/") {
		return "."
	}
	return strings.TrimPrefix(path, module)
}

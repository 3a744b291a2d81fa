package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// program is a program of another module that uses tfrun's Go API: a logistic regression
// of the OR function.
const program = `package main

import (
	"context"
	"fmt"
	"log"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/layers"
)

func main() {
	m, err := tfrun.Sequential(layers.Dense(1, layers.Activation("sigmoid")))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	if err := m.Compile(tfrun.Optimizer("adam", tfrun.Arg("learning_rate", 0.1)), tfrun.Threads(1)); err != nil {
		log.Fatal(err)
	}
	data := tfrun.Data{X: tfrun.Floats([]float32{0, 0, 0, 1, 1, 0, 1, 1}, 2), Y: tfrun.Floats([]float32{0, 1, 1, 1})}
	h, err := m.Fit(context.Background(), data, tfrun.Epochs(100), tfrun.BatchSize(4))
	if err != nil {
		log.Fatal(err)
	}
	logs, err := m.Evaluate(context.Background(), data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("epochs %d, accuracy %.2f\n", len(h.Epochs), logs["accuracy"])
}
`

// A module outside this repository imports tfrun (a replace directive to this checkout),
// takes its cgo environment from tfrun-env, builds a program and runs it.
func TestOutsideModule(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and links a program of another module")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(root, "third_party", "libtensorflow")
	if !present(lib) {
		t.Skipf("no libtensorflow in %s (make libtensorflow fetches it)", lib)
	}
	var env bytes.Buffer
	if err := run(lib, &env, io.Discard); err != nil {
		t.Fatal(err)
	}
	vars := parseEnv(t, env.String())
	for _, k := range []string{"CGO_ENABLED", "CGO_CFLAGS", "CGO_LDFLAGS"} {
		if vars[k] == "" {
			t.Fatalf("tfrun-env printed no %s:\n%s", k, env.String())
		}
	}

	mod := t.TempDir()
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go .*$`).Find(goMod)
	write(t, filepath.Join(mod, "go.mod"), "module example.com/outside\n\n"+string(goLine)+"\n\nrequire github.com/tfrun/tfrun v0.0.0\n\nreplace github.com/tfrun/tfrun => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mod, "go.sum"), string(sum))
	write(t, filepath.Join(mod, "main.go"), program)

	build := exec.Command("go", "build", "-mod=mod", "-o", "outside", ".")
	build.Dir = mod
	build.Env = []string{"GOWORK=off", "GOFLAGS="}
	for _, kv := range os.Environ() { // only tfrun-env's cgo settings
		if !strings.HasPrefix(kv, "CGO_") && !strings.HasPrefix(kv, "LIBTENSORFLOW_DIR=") {
			build.Env = append(build.Env, kv)
		}
	}
	for k, v := range vars {
		build.Env = append(build.Env, k+"="+v)
	}
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in the outside module: %v\n%s", err, out)
	}
	prog := exec.Command(filepath.Join(mod, "outside"))
	prog.Env = append(os.Environ(), "TF_CPP_MIN_LOG_LEVEL=2")
	var stdout, stderr bytes.Buffer
	prog.Stdout, prog.Stderr = &stdout, &stderr
	if err := prog.Run(); err != nil {
		t.Fatalf("the outside program: %v\n%s", err, stderr.String())
	}
	if got, want := stdout.String(), "epochs 100, accuracy 1.00\n"; got != want {
		t.Errorf("the outside program printed %q, want %q", got, want)
	}
}

// parseEnv reads the export lines tfrun-env prints.
func parseEnv(t *testing.T, s string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("tfrun-env line %q: not export NAME=value", sc.Text())
		}
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		vars[k] = v
	}
	return vars
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A fetch that fails (here: pip cannot download) is an error naming the folder, and
// nothing is printed.
func TestFetchFails(t *testing.T) {
	bin := t.TempDir()
	write(t, filepath.Join(bin, "pip3"), "#!/bin/sh\nif [ \"$1\" = --version ]; then echo fake; exit 0; fi\nexit 1\n")
	if err := os.Chmod(filepath.Join(bin, "pip3"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	dir := filepath.Join(t.TempDir(), "libtensorflow")
	var out, log bytes.Buffer
	err := run(dir, &out, &log)
	if err == nil || !strings.Contains(err.Error(), "fetching libtensorflow into "+dir) || out.Len() > 0 {
		t.Fatalf("err = %v, printed %q; want a fetch error naming %s and nothing printed", err, out.String(), dir)
	}
	if !strings.Contains(log.String(), "could not get a verified tensorflow-cpu") {
		t.Errorf("the script's messages: %q", log.String())
	}
}

// Command tfrun-env prepares TensorFlow's C library for a Go module that imports tfrun
// and prints the cgo environment its builds need, as `make -s env` does in tfrun's own
// checkout:
//
//	eval "$(go run github.com/tfrun/tfrun/cmd/tfrun-env)"
//	go build ./...
//
// The first run fetches the pinned tensorflow-cpu wheel (about 230 MB, sha256-checked, with
// pip) into the user cache, $XDG_CACHE_HOME/tfrun/libtensorflow-<version> (os.UserCacheDir),
// with tfrun's own fetch script; later runs find it there. With LIBTENSORFLOW_DIR set (or
// -dir) it uses that libtensorflow (lib/ + include/) instead, and fetches into it only when
// it is not one already. The command itself needs no cgo, so it runs before the library
// exists. Only linux/x86_64 is fetched automatically.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	thirdparty "github.com/tfrun/tfrun/third_party"
)

func main() {
	dir := flag.String("dir", os.Getenv("LIBTENSORFLOW_DIR"), "the libtensorflow folder (lib/ + include/); default: $LIBTENSORFLOW_DIR, else the user cache's")
	flag.Parse()
	if err := run(*dir, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tfrun-env:", err)
		os.Exit(1)
	}
}

// run makes sure dir (default: the user cache's) holds libtensorflow and writes the cgo
// environment for it to out; the fetch script's messages go to log.
func run(dir string, out, log io.Writer) error {
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no user cache directory (%v): set LIBTENSORFLOW_DIR", err)
		}
		dir = filepath.Join(cache, "tfrun", "libtensorflow-"+thirdparty.TensorFlowVersion)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if !present(dir) {
		if err := fetch(dir, log); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "export CGO_ENABLED=1\n")
	fmt.Fprintf(out, "export CGO_CFLAGS=%q\n", "-I"+filepath.Join(dir, "include"))
	fmt.Fprintf(out, "export CGO_LDFLAGS=%q\n", fmt.Sprintf("-L%s -ltensorflow_framework -Wl,-rpath,%s", filepath.Join(dir, "lib"), filepath.Join(dir, "lib")))
	return nil
}

// present reports whether dir holds a libtensorflow: the C API's header and library.
func present(dir string) bool {
	for _, f := range []string{"include/tensorflow/c/c_api.h", "lib/libtensorflow.so", "lib/libtensorflow_framework.so"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// fetch runs tfrun's fetch script (third_party/libtensorflow.sh) into dir.
func fetch(dir string, log io.Writer) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	script, err := os.CreateTemp("", "libtensorflow-*.sh")
	if err != nil {
		return err
	}
	defer os.Remove(script.Name())
	if _, err := script.Write(thirdparty.LibTensorFlowScript); err != nil {
		script.Close()
		return err
	}
	if err := script.Close(); err != nil {
		return err
	}
	cmd := exec.Command("bash", script.Name(), dir)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("fetching libtensorflow into %s failed (its messages are above): %v", dir, err)
		}
		return fmt.Errorf("fetching libtensorflow into %s: %w", dir, err)
	}
	if !present(dir) {
		return fmt.Errorf("fetching libtensorflow into %s: the script ended, but the library is not there", dir)
	}
	return nil
}

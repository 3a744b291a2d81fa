package datasets

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
)

// ModulePath is tfrun's Go module path, the module line of its go.mod. A directory whose
// go.mod declares it is a tfrun checkout, and the checkout's data is ../shared/data beside
// it (the project's layout: <parent>/main is the clone, <parent>/shared/data the data).
const ModulePath = "github.com/tfrun/tfrun"

// projectDataDirs returns ../shared/data beside the tfrun checkout that holds the working
// directory and beside the one that holds the executable, each once: the data roots of
// Locate's third step.
//
// The working directory's checkout is the nearest go.mod at or above it, if that go.mod
// declares ModulePath; a go.mod of another module ends the walk, as it ends Go's own
// search for the main module. The executable's checkout is the directory above bin/ when
// the program is <checkout>/bin/tfrun (make build) and <checkout>/go.mod declares
// ModulePath; nothing further up is looked at.
func projectDataDirs(env searchEnv) []searchPlace {
	var places []searchPlace
	add := func(root, why string) {
		p := filepath.Join(filepath.Dir(root), "shared", "data")
		for _, q := range places {
			if q.path == p {
				return
			}
		}
		places = append(places, searchPlace{path: p, why: why + " " + root})
	}
	if wd, err := env.getwd(); err == nil {
		if root, ok := moduleRootAbove(wd, env.readFile); ok {
			add(root, "beside the working directory's tfrun checkout")
		}
	}
	if exe, err := env.executable(); err == nil {
		bin := filepath.Dir(exe)
		if filepath.Base(bin) == "bin" && isTfrunModule(filepath.Dir(bin), env.readFile) {
			add(filepath.Dir(bin), "beside the executable's tfrun checkout")
		}
	}
	return places
}

// moduleRootAbove finds the nearest go.mod at or above dir and reports its directory if it
// declares ModulePath. It reads go.mod files only, never any other file or directory.
func moduleRootAbove(dir string, readFile func(string) ([]byte, error)) (string, bool) {
	for {
		b, err := readFile(filepath.Join(dir, "go.mod"))
		switch {
		case err == nil:
			return dir, goModulePath(b) == ModulePath
		case !errors.Is(err, fs.ErrNotExist):
			return "", false // unreadable: do not look past it
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// isTfrunModule reports whether dir/go.mod declares ModulePath.
func isTfrunModule(dir string, readFile func(string) ([]byte, error)) bool {
	b, err := readFile(filepath.Join(dir, "go.mod"))
	return err == nil && goModulePath(b) == ModulePath
}

// goModulePath returns the path of a go.mod's module directive ("" if it has none), as
// golang.org/x/mod/modfile.ModulePath does: quotes removed, a trailing comment ignored.
func goModulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], "\"`")
		}
	}
	return ""
}

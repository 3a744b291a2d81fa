package datasets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMachine is a searchEnv over a temporary directory, base: the working directory,
// the executable, the environment and the cache are whatever the test says, and every
// file the search asks about must be under base. go.mod files above base do not exist
// (they are not read), and looking at any other path outside base fails the test, so
// no real ancestor directory (a shared/data above $TMPDIR) can leak into a result.
type fakeMachine struct {
	t                     *testing.T
	base                  string
	env                   map[string]string
	wd, exe, cache, fashn string
}

func (m fakeMachine) inside(p string) bool {
	rel, err := filepath.Rel(m.base, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func (m fakeMachine) searchEnv() searchEnv {
	return searchEnv{
		getenv: func(k string) string { return m.env[k] },
		getwd:  func() (string, error) { return m.wd, nil },
		executable: func() (string, error) {
			if m.exe == "" {
				return "", errors.New("no executable")
			}
			return m.exe, nil
		},
		readFile: func(p string) ([]byte, error) {
			if filepath.Base(p) != "go.mod" {
				m.t.Errorf("the search read %s, not a go.mod", p)
			}
			if !m.inside(p) {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
			}
			return os.ReadFile(p)
		},
		stat: func(p string) (fs.FileInfo, error) {
			if !m.inside(p) {
				m.t.Errorf("the search looked at %s, outside the test's machine %s", p, m.base)
				return nil, &fs.PathError{Op: "stat", Path: p, Err: fs.ErrNotExist}
			}
			return os.Stat(p)
		},
		userCacheDir: func() (string, error) { return m.cache, nil },
		fashionDir:   m.fashn,
	}
}

// goMod writes dir/go.mod declaring module path.
func goMod(t *testing.T, dir, path string) {
	t.Helper()
	writeFile(t, dir, "go.mod", []byte("module "+path+"\n\ngo 1.26\n"))
}

// plant creates root/rel the way candidatePaths expects: a .tar.gz file, a
// directory with the four MNIST files, or an empty directory; "file:" before rel
// makes a regular file instead.
func plant(t *testing.T, root, rel string) string {
	t.Helper()
	if name, ok := strings.CutPrefix(rel, "file:"); ok {
		return writeFile(t, root, name, []byte("not a directory"))
	}
	p := filepath.Join(root, rel)
	switch {
	case strings.HasSuffix(rel, ".tar.gz"):
		writeFile(t, root, rel, []byte("archive"))
	case strings.HasSuffix(rel, "mnist") || strings.HasSuffix(rel, "fashion_mnist") || rel == "":
		mnistFiles(t, p, [4]bool{true, false, true, false}, nil)
	default:
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestLocate(t *testing.T) {
	// The machine: a tfrun checkout work/main (the working directory is work/main/cmd/tfrun)
	// whose data is work/shared/data, and a second checkout opt/tfrun whose bin/tfrun is
	// the executable and whose data is opt/shared/data. "inside" and "above" are
	// shared/data folders that are not the project's: in the checkout, and above it.
	tests := []struct {
		name     string
		dataset  string
		dataDir  bool        // pass the "arg" root as dataDir
		plant    [][2]string // (root key, path under it) to create
		edit     func(base string, m *fakeMachine)
		wantRoot string // key of the root expected to win
		wantRel  string
	}{
		{"dataDir", "mnist", true, [][2]string{{"arg", "mnist"}}, nil, "arg", "mnist"},
		{"dataDir before env", "imdb", true, [][2]string{{"arg", "aclImdb"}, {"env", "aclImdb_v1.tar.gz"}}, nil, "arg", "aclImdb"},
		{"archive before tree", "imdb", true, [][2]string{{"arg", "aclImdb"}, {"arg", "aclImdb_v1.tar.gz"}}, nil, "arg", "aclImdb_v1.tar.gz"},
		{"env before the project", "cifar10", false, [][2]string{{"env", "cifar-10-batches-bin"}, {"project", "cifar-10-binary.tar.gz"}}, nil, "env", "cifar-10-batches-bin"},
		{"beside the working directory's checkout", "cifar10", false, [][2]string{{"project", "cifar-10-binary.tar.gz"}, {"cache", "cifar-10-binary.tar.gz"}}, nil, "project", "cifar-10-binary.tar.gz"},
		{"working directory's checkout before the executable's", "mnist", false, [][2]string{{"exe", "mnist"}, {"project", "mnist"}}, nil, "project", "mnist"},
		{"beside the executable's checkout", "mnist", false, [][2]string{{"exe", "mnist"}, {"cache", "mnist"}},
			func(base string, m *fakeMachine) { m.wd = filepath.Join(base, "elsewhere") }, "exe", "mnist"},
		{"shared/data in the checkout or above its parent is not searched", "mnist", false, [][2]string{{"inside", "mnist"}, {"above", "mnist"}, {"cache", "mnist"}}, nil, "cache", "mnist"},
		{"outside any checkout, shared/data above is not searched", "imdb", false, [][2]string{{"above", "aclImdb_v1.tar.gz"}, {"cache", "aclImdb"}},
			func(base string, m *fakeMachine) { m.wd, m.exe = filepath.Join(base, "x", "y"), "" }, "cache", "aclImdb"},
		{"a nearer go.mod of another module ends the walk", "imdb", false, [][2]string{{"project", "aclImdb"}, {"cache", "aclImdb"}},
			func(base string, m *fakeMachine) {
				own := filepath.Join(base, "work", "main", "examples", "own")
				goMod(m.t, own, "example.com/own")
				m.wd, m.exe = filepath.Join(own, "cmd"), ""
			}, "cache", "aclImdb"},
		{"an executable outside bin/ has no checkout", "mnist", false, [][2]string{{"exe", "mnist"}, {"cache", "mnist"}},
			func(base string, m *fakeMachine) {
				m.wd, m.exe = filepath.Join(base, "elsewhere"), filepath.Join(base, "opt", "tfrun", "tfrun")
			}, "cache", "mnist"},
		{"an executable in another module's bin/", "mnist", false, [][2]string{{"above", "mnist"}, {"cache", "mnist"}},
			func(base string, m *fakeMachine) {
				goMod(m.t, filepath.Join(base, "other"), "example.com/tfrun")
				m.wd, m.exe = filepath.Join(base, "elsewhere"), filepath.Join(base, "other", "bin", "tfrun")
			}, "cache", "mnist"},
		{"fashion-mnist under a root", "fashion_mnist", false, [][2]string{{"env", "fashion-mnist"}, {"debian", ""}}, nil, "env", "fashion-mnist"},
		{"fashion_mnist spelling", "fashion_mnist", false, [][2]string{{"cache", "fashion_mnist"}}, nil, "cache", "fashion_mnist"},
		{"the project before Debian's fashion-mnist", "fashion_mnist", false, [][2]string{{"debian", ""}, {"project", "fashion-mnist"}}, nil, "project", "fashion-mnist"},
		{"Debian fashion-mnist before cache", "fashion_mnist", false, [][2]string{{"debian", ""}, {"cache", "fashion-mnist"}}, nil, "debian", ""},
		{"cache", "imdb", false, [][2]string{{"cache", "aclImdb"}}, nil, "cache", "aclImdb"},
		{"mnist is not fashion_mnist", "fashion_mnist", false, [][2]string{{"env", "mnist"}, {"cache", "fashion-mnist"}}, nil, "cache", "fashion-mnist"},
		{"a file named like a tree does not count", "cifar10", false, [][2]string{{"env", "file:cifar-10-batches-bin"}, {"env", "file:aclImdb"}, {"cache", "cifar-10-batches-bin"}}, nil, "cache", "cifar-10-batches-bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			roots := map[string]string{
				"arg":     filepath.Join(base, "arg"),
				"env":     filepath.Join(base, "env"),
				"project": filepath.Join(base, "work", "shared", "data"),
				"exe":     filepath.Join(base, "opt", "shared", "data"),
				"inside":  filepath.Join(base, "work", "main", "shared", "data"),
				"above":   filepath.Join(base, "shared", "data"),
				"debian":  filepath.Join(base, "usr", "share", "datasets", "fashion-mnist"),
				"cache":   filepath.Join(base, "cache", "tfrun", "datasets"),
			}
			goMod(t, filepath.Join(base, "work", "main"), ModulePath)
			goMod(t, filepath.Join(base, "opt", "tfrun"), ModulePath)
			for _, p := range tt.plant {
				plant(t, roots[p[0]], p[1])
			}
			m := fakeMachine{
				t:     t,
				base:  base,
				env:   map[string]string{DataDirEnv: roots["env"]},
				wd:    filepath.Join(base, "work", "main", "cmd", "tfrun"),
				exe:   filepath.Join(base, "opt", "tfrun", "bin", "tfrun"),
				cache: filepath.Join(base, "cache"),
				fashn: roots["debian"],
			}
			if tt.edit != nil {
				tt.edit(base, &m)
			}
			dataDir := ""
			if tt.dataDir {
				dataDir = roots["arg"]
			}
			got, err := locate(tt.dataset, dataDir, m.searchEnv())
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(roots[tt.wantRoot], tt.wantRel); got != want {
				t.Errorf("locate(%q) = %s, want %s", tt.dataset, got, want)
			}
		})
	}
}

// searchedPaths are the places a not-found error lists (its tab-indented lines that are
// not URLs).
func searchedPaths(err error) []string {
	var paths []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if p, ok := strings.CutPrefix(line, "\t"); ok && !strings.Contains(p, "://") {
			path, _, _ := strings.Cut(p, " (")
			paths = append(paths, path)
		}
	}
	return paths
}

func TestLocateNotFound(t *testing.T) {
	base := t.TempDir()
	checkout := filepath.Join(base, "a", "b", "main")
	goMod(t, checkout, ModulePath)
	m := fakeMachine{
		t:     t,
		base:  base,
		env:   map[string]string{DataDirEnv: filepath.Join(base, "env")},
		wd:    filepath.Join(checkout, "cmd"),
		exe:   filepath.Join(checkout, "bin", "tfrun"), // the same checkout: searched once
		cache: filepath.Join(base, "cache"),
		fashn: filepath.Join(base, "debian"),
	}
	// An incomplete MNIST directory does not count.
	mnistFiles(t, filepath.Join(base, "env", "mnist"), [4]bool{}, func(name string, b []byte) []byte {
		if name == MNISTTestLabels {
			return nil
		}
		return b
	})
	// Neither do complete ones in shared/data folders that are not the project's.
	plant(t, filepath.Join(base, "shared", "data"), "mnist")
	plant(t, filepath.Join(checkout, "shared", "data"), "mnist")
	hint := "point tfrun at the folder that holds "
	tests := []struct {
		dataset   string
		fragments []string
		places    int
	}{
		{"mnist", []string{
			filepath.Join(base, "arg", "mnist") + " (dataDir argument (-data-dir))",
			filepath.Join(base, "env", "mnist") + " ($TFRUN_DATA_DIR)",
			filepath.Join(base, "a", "b", "shared", "data", "mnist") + " (beside the working directory's tfrun checkout " + checkout + ")",
			filepath.Join(base, "cache", "tfrun", "datasets", "mnist") + " (user cache)",
			hint + "mnist/ with -data-dir DIR or $TFRUN_DATA_DIR=DIR",
			"download into <root>/mnist/",
			"https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz",
		}, 4},
		{"fashion_mnist", []string{filepath.Join(base, "debian") + " (Debian package dataset-fashion-mnist)",
			hint + "fashion-mnist/ or fashion_mnist/ with", "fashion-mnist.s3-website"}, 9},
		{"imdb", []string{"aclImdb_v1.tar.gz (", "aclImdb (", hint + "aclImdb_v1.tar.gz or aclImdb/ with",
			"download into <root>/,", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"}, 8},
		{"cifar10", []string{"cifar-10-batches-bin", "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			m.t = t
			_, err := locate(tt.dataset, filepath.Join(base, "arg"), m.searchEnv())
			checkErr(t, err, ErrDataSetNotFound, append([]string{"locate " + tt.dataset}, tt.fragments...)...)
			paths := searchedPaths(err)
			if len(paths) != tt.places {
				t.Errorf("searched %d places %q, want %d", len(paths), paths, tt.places)
			}
			for _, p := range paths {
				if !m.inside(p) {
					t.Errorf("searched %s, outside the machine %s", p, base)
				}
			}
			if strings.Contains(err.Error(), "no ../shared/data searched") {
				t.Errorf("error %q says no checkout was found; the working directory is in %s", err, checkout)
			}
		})
	}
	t.Run("unknown name", func(t *testing.T) {
		m.t = t
		_, err := locate("MNIST", "", m.searchEnv())
		checkErr(t, err, ErrInvalidArgument, `unknown data set "MNIST" (valid: cifar10, fashion_mnist, imdb, mnist)`)
	})
	t.Run("no working directory, executable or cache", func(t *testing.T) {
		m.t = t
		env := m.searchEnv()
		env.getwd = func() (string, error) { return "", errors.New("gone") }
		env.executable = func() (string, error) { return "", errors.New("gone") }
		env.userCacheDir = func() (string, error) { return "", errors.New("no home") }
		_, err := locate("imdb", "", env)
		checkErr(t, err, ErrDataSetNotFound, filepath.Join(base, "env", "aclImdb_v1.tar.gz"),
			"no ../shared/data searched: neither the working directory nor the executable is in a tfrun checkout, a go.mod declaring "+ModulePath)
		if paths := searchedPaths(err); len(paths) != 2 {
			t.Errorf("searched %q, want only $%s's two candidates", paths, DataDirEnv)
		}
	})
	t.Run("below a shared/data, outside any checkout", func(t *testing.T) {
		m := m
		m.t, m.wd, m.exe = t, filepath.Join(base, "x", "y"), ""
		_, err := locate("mnist", "", m.searchEnv())
		checkErr(t, err, ErrDataSetNotFound, "no ../shared/data searched")
		if decoy := filepath.Join(base, "shared", "data"); strings.Contains(err.Error(), decoy) {
			t.Errorf("error %q lists %s, above a working directory in no checkout", err, decoy)
		}
	})
}

func TestGoModulePath(t *testing.T) {
	tests := []struct{ gomod, want string }{
		{"module github.com/tfrun/tfrun\n\ngo 1.26\n", ModulePath},
		{"// a comment\nmodule \"github.com/tfrun/tfrun\" // quoted\n", ModulePath},
		{"\tmodule   example.com/x\r\n", "example.com/x"},
		{"go 1.26\n", ""},
		{"module\n", ""},
		{"// module github.com/tfrun/tfrun\n", ""},
	}
	for _, tt := range tests {
		if got := goModulePath([]byte(tt.gomod)); got != tt.want {
			t.Errorf("goModulePath(%q) = %q, want %q", tt.gomod, got, tt.want)
		}
	}
	// ModulePath is this module's: the go.mod of the package's own module says so.
	b, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := goModulePath(b); got != ModulePath {
		t.Errorf("../go.mod declares %q, ModulePath is %q", got, ModulePath)
	}
}

// TestLocateReal drives the exported Locate through the real environment
// variable, working directory, go.mod and cache directory.
func TestLocateReal(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(base, "cache"))
	t.Setenv("HOME", filepath.Join(base, "home"))
	t.Setenv(DataDirEnv, filepath.Join(base, "env"))
	goMod(t, filepath.Join(base, "proj", "main"), ModulePath)
	work := filepath.Join(base, "proj", "main", "cmd")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	want := plant(t, filepath.Join(base, "proj", "shared", "data"), "cifar-10-binary.tar.gz")
	plant(t, filepath.Join(base, "cache", "tfrun", "datasets"), "cifar-10-binary.tar.gz")
	got, err := Locate("cifar10", "")
	if err != nil {
		t.Fatal(err)
	}
	// The working directory may be reported through symlinks (macOS /tmp).
	if gotReal, _ := filepath.EvalSymlinks(got); gotReal != mustEval(t, want) {
		t.Errorf("Locate = %s, want %s", got, want)
	}
	plant(t, filepath.Join(base, "env"), "cifar-10-batches-bin")
	if got, err := Locate("cifar10", ""); err != nil || got != filepath.Join(base, "env", "cifar-10-batches-bin") {
		t.Errorf("with $%s: Locate = %s, %v, want the $%s copy", DataDirEnv, got, err, DataDirEnv)
	}
}

// TestLocateRealIgnoresSharedDataAbove: on the real machine, a working directory below a
// shared/data but in no tfrun checkout does not find that data.
func TestLocateRealIgnoresSharedDataAbove(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(base, "cache"))
	t.Setenv("HOME", filepath.Join(base, "home"))
	t.Setenv(DataDirEnv, "")
	decoy := plant(t, filepath.Join(base, "shared", "data"), "mnist")
	work := filepath.Join(base, "a", "b")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	if p := projectDataDirs(osSearchEnv()); len(p) > 0 {
		t.Skipf("the temporary directory %s or the test binary is in a tfrun checkout (%s)", base, p[0].why)
	}
	got, err := Locate("mnist", "")
	if !errors.Is(err, ErrDataSetNotFound) {
		t.Fatalf("Locate(mnist) from %s = %s, %v; want ErrDataSetNotFound, not the data in %s", work, got, err, decoy)
	}
	if strings.Contains(err.Error(), filepath.Join(base, "shared")) {
		t.Errorf("error %q lists %s", err, decoy)
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMachine is a searchEnv over temporary directories.
type fakeMachine struct {
	env              map[string]string
	wd, cache, fashn string
}

func (m fakeMachine) searchEnv() searchEnv {
	return searchEnv{
		getenv:       func(k string) string { return m.env[k] },
		getwd:        func() (string, error) { return m.wd, nil },
		userCacheDir: func() (string, error) { return m.cache, nil },
		fashionDir:   m.fashn,
	}
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
	tests := []struct {
		name     string
		dataset  string
		dataDir  bool        // pass the "arg" root as dataDir
		plant    [][2]string // (root key, path under it) to create
		wantRoot string      // key of the root expected to win
		wantRel  string
	}{
		{"dataDir", "mnist", true, [][2]string{{"arg", "mnist"}}, "arg", "mnist"},
		{"dataDir before env", "imdb", true, [][2]string{{"arg", "aclImdb"}, {"env", "aclImdb_v1.tar.gz"}}, "arg", "aclImdb"},
		{"archive before tree", "imdb", true, [][2]string{{"arg", "aclImdb"}, {"arg", "aclImdb_v1.tar.gz"}}, "arg", "aclImdb_v1.tar.gz"},
		{"env", "cifar10", false, [][2]string{{"env", "cifar-10-batches-bin"}, {"cache", "cifar-10-binary.tar.gz"}}, "env", "cifar-10-batches-bin"},
		{"shared/data two levels up", "cifar10", false, [][2]string{{"shared2", "cifar-10-binary.tar.gz"}, {"cache", "cifar-10-binary.tar.gz"}}, "shared2", "cifar-10-binary.tar.gz"},
		{"nearest shared/data first", "mnist", false, [][2]string{{"shared1", "mnist"}, {"shared2", "mnist"}}, "shared1", "mnist"},
		{"fashion-mnist under a root", "fashion_mnist", false, [][2]string{{"env", "fashion-mnist"}, {"debian", ""}}, "env", "fashion-mnist"},
		{"fashion_mnist spelling", "fashion_mnist", false, [][2]string{{"cache", "fashion_mnist"}}, "cache", "fashion_mnist"},
		{"Debian fashion-mnist before cache", "fashion_mnist", false, [][2]string{{"debian", ""}, {"cache", "fashion-mnist"}}, "debian", ""},
		{"cache", "imdb", false, [][2]string{{"cache", "aclImdb"}}, "cache", "aclImdb"},
		{"mnist is not fashion_mnist", "fashion_mnist", false, [][2]string{{"env", "mnist"}, {"cache", "fashion-mnist"}}, "cache", "fashion-mnist"},
		{"a file named like a tree does not count", "cifar10", false, [][2]string{{"env", "file:cifar-10-batches-bin"}, {"env", "file:aclImdb"}, {"cache", "cifar-10-batches-bin"}}, "cache", "cifar-10-batches-bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			roots := map[string]string{
				"arg":     filepath.Join(base, "arg"),
				"env":     filepath.Join(base, "env"),
				"shared1": filepath.Join(base, "work", "proj", "shared", "data"),
				"shared2": filepath.Join(base, "work", "shared", "data"),
				"debian":  filepath.Join(base, "usr", "share", "datasets", "fashion-mnist"),
				"cache":   filepath.Join(base, "cache", "tfrun", "datasets"),
			}
			for _, p := range tt.plant {
				plant(t, roots[p[0]], p[1])
			}
			m := fakeMachine{
				env:   map[string]string{DataDirEnv: roots["env"]},
				wd:    filepath.Join(base, "work", "proj", "cmd"),
				cache: filepath.Join(base, "cache"),
				fashn: roots["debian"],
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

func TestLocateNotFound(t *testing.T) {
	base := t.TempDir()
	m := fakeMachine{
		env:   map[string]string{DataDirEnv: filepath.Join(base, "env")},
		wd:    filepath.Join(base, "a", "b"),
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
	tests := []struct {
		dataset   string
		fragments []string
	}{
		{"mnist", []string{
			filepath.Join(base, "arg", "mnist") + " (dataDir argument)",
			filepath.Join(base, "env", "mnist") + " ($TFRUN_DATA_DIR)",
			filepath.Join(base, "a", "b", "shared", "data", "mnist"),
			filepath.Join(base, "a", "shared", "data", "mnist"),
			filepath.Join(base, "shared", "data", "mnist"),
			filepath.Join(base, "cache", "tfrun", "datasets", "mnist") + " (user cache)",
			"https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz",
		}},
		{"fashion_mnist", []string{filepath.Join(base, "debian") + " (Debian package dataset-fashion-mnist)", "fashion-mnist.s3-website"}},
		{"imdb", []string{"aclImdb_v1.tar.gz", "aclImdb (", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"}},
		{"cifar10", []string{"cifar-10-batches-bin", "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"}},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			_, err := locate(tt.dataset, filepath.Join(base, "arg"), m.searchEnv())
			checkErr(t, err, ErrNotFound, append([]string{"locate " + tt.dataset}, tt.fragments...)...)
		})
	}
	t.Run("unknown name", func(t *testing.T) {
		_, err := locate("MNIST", "", m.searchEnv())
		checkErr(t, err, ErrInvalidArgument, `unknown data set "MNIST" (valid: cifar10, fashion_mnist, imdb, mnist)`)
	})
	t.Run("no working directory or cache", func(t *testing.T) {
		env := m.searchEnv()
		env.getwd = func() (string, error) { return "", errors.New("gone") }
		env.userCacheDir = func() (string, error) { return "", errors.New("no home") }
		_, err := locate("imdb", "", env)
		checkErr(t, err, ErrNotFound, filepath.Join(base, "env", "aclImdb_v1.tar.gz"))
	})
}

// TestLocateReal drives the exported Locate through the real environment
// variable, working directory and cache directory.
func TestLocateReal(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(base, "cache"))
	t.Setenv("HOME", filepath.Join(base, "home"))
	t.Setenv(DataDirEnv, filepath.Join(base, "env"))
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

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

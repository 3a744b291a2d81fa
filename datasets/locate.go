package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DataDirEnv names the environment variable Locate searches after its dataDir
// argument.
const DataDirEnv = "TFRUN_DATA_DIR"

// systemFashionMNISTDir is where Debian's package dataset-fashion-mnist installs
// the four Fashion-MNIST IDX files.
const systemFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// Locate finds the data set name ("imdb", "mnist", "fashion_mnist", "cifar10") on
// disk and returns the path to pass to its loader (LoadIMDBText, LoadMNIST,
// LoadCIFAR10).
//
// It searches these data roots, in order, and returns the first match:
//
//  1. dataDir, if not empty;
//  2. $TFRUN_DATA_DIR, if set;
//  3. shared/data in the working directory and each of its parents
//     (./shared/data, ../shared/data, ../../shared/data, …);
//  4. for fashion_mnist, /usr/share/datasets/fashion-mnist itself (Debian's
//     dataset-fashion-mnist package);
//  5. the user cache, tfrun/datasets under os.UserCacheDir ($XDG_CACHE_HOME or
//     ~/.cache on Linux) — where a program would Download to.
//
// In a data root it looks for: imdb aclImdb_v1.tar.gz, then aclImdb/;
// cifar10 cifar-10-binary.tar.gz, then cifar-10-batches-bin/; mnist mnist/ and
// fashion_mnist fashion-mnist/ or fashion_mnist/, each holding the four IDX
// files (gzipped or raw). Matches are judged by name, not read.
//
// When nothing is found the ErrNotFound error lists every place looked and the
// official URLs to download from.
func Locate(name string, dataDir string) (string, error) {
	return locate(name, dataDir, osSearchEnv())
}

// searchEnv is what Locate consults about the machine, replaceable in tests.
type searchEnv struct {
	getenv       func(string) string
	getwd        func() (string, error)
	userCacheDir func() (string, error)
	fashionDir   string // Debian's system directory for fashion_mnist
}

// osSearchEnv is the real machine.
func osSearchEnv() searchEnv {
	return searchEnv{getenv: os.Getenv, getwd: os.Getwd, userCacheDir: os.UserCacheDir, fashionDir: systemFashionMNISTDir}
}

// searchPlace is one data root or candidate path and why it was searched.
// A direct root holds the data set's files itself rather than under the
// candidate names.
type searchPlace struct {
	path, why string
	direct    bool
}

func locate(name, dataDir string, env searchEnv) (string, error) {
	op := "locate " + name
	src, ok := Sources[name]
	if !ok {
		return "", newError(op, "", ErrInvalidArgument, "unknown data set %q (valid: %s)", name, strings.Join(sourceNames(), ", "))
	}
	var places []searchPlace
	for _, root := range dataRoots(name, dataDir, env) {
		if root.direct {
			places = append(places, root)
			continue
		}
		for _, rel := range candidatePaths(name) {
			places = append(places, searchPlace{path: filepath.Join(root.path, rel), why: root.why})
		}
	}
	for _, p := range places {
		if matches(name, p.path) {
			return p.path, nil
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no %s at any of:", src.Title)
	for _, p := range places {
		fmt.Fprintf(&b, "\n\t%s (%s)", p.path, p.why)
	}
	target := "<root>/"
	if src.Dir != "" {
		target += src.Dir + "/"
	}
	fmt.Fprintf(&b, "\ndownload into %s, where <root> is $%s or another place above (datasets.Download does this):", target, DataDirEnv)
	for _, f := range src.Files {
		fmt.Fprintf(&b, "\n\t%s", f.URL)
	}
	if name == "fashion_mnist" {
		fmt.Fprintf(&b, "\nor, on Debian: apt-get install dataset-fashion-mnist (installs %s)", systemFashionMNISTDir)
	}
	return "", newError(op, "", ErrDataSetNotFound, "%s", b.String())
}

// ErrDataSetNotFound is Locate's error when a data set is in none of the places it looks:
// it wraps ErrNotFound, and a test that needs real data skips on exactly this.
var ErrDataSetNotFound = fmt.Errorf("data set %w", ErrNotFound)

// dataRoots lists the data roots in search order.
func dataRoots(name, dataDir string, env searchEnv) []searchPlace {
	var roots []searchPlace
	if dataDir != "" {
		roots = append(roots, searchPlace{path: dataDir, why: "dataDir argument"})
	}
	if d := env.getenv(DataDirEnv); d != "" {
		roots = append(roots, searchPlace{path: d, why: "$" + DataDirEnv})
	}
	if wd, err := env.getwd(); err == nil {
		for dir := wd; ; {
			roots = append(roots, searchPlace{path: filepath.Join(dir, "shared", "data"), why: "shared/data above the working directory"})
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if name == "fashion_mnist" && env.fashionDir != "" {
		roots = append(roots, searchPlace{path: env.fashionDir, why: "Debian package dataset-fashion-mnist", direct: true})
	}
	if cache, err := env.userCacheDir(); err == nil {
		roots = append(roots, searchPlace{path: filepath.Join(cache, "tfrun", "datasets"), why: "user cache"})
	}
	return roots
}

// candidatePaths lists, relative to a data root, where the data set may be.
func candidatePaths(name string) []string {
	switch name {
	case "imdb":
		return []string{"aclImdb_v1.tar.gz", "aclImdb"}
	case "cifar10":
		return []string{"cifar-10-binary.tar.gz", cifarDir}
	case "mnist":
		return []string{"mnist"}
	case "fashion_mnist":
		return []string{"fashion-mnist", "fashion_mnist"}
	}
	return nil
}

// matches reports whether path looks like the data set: archives must be files,
// trees directories, and MNIST-style directories must hold all four IDX files.
func matches(name, path string) bool {
	switch {
	case strings.HasSuffix(path, ".tar.gz"):
		return isFile(path)
	case name == "mnist" || name == "fashion_mnist":
		for _, f := range [...]string{MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels} {
			if _, err := findMNISTFile(path, f); err != nil {
				return false
			}
		}
		return true
	}
	return isDir(path)
}

package datasets

import (
	"fmt"
	"io/fs"
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
//  1. dataDir, if not empty (tfrun's -data-dir flag);
//  2. $TFRUN_DATA_DIR, if set;
//  3. the project's ../shared/data: beside the tfrun checkout holding the working
//     directory (the nearest go.mod at or above it, if it declares ModulePath), and
//     beside the checkout whose bin/ holds the running executable (make build's
//     bin/tfrun). No other ancestor is searched: a shared/data that merely sits above
//     the working directory is not tfrun's data;
//  4. for fashion_mnist, /usr/share/datasets/fashion-mnist itself (Debian's
//     dataset-fashion-mnist package);
//  5. the user cache, tfrun/datasets under os.UserCacheDir ($XDG_CACHE_HOME or
//     ~/.cache on Linux) — where a program would Download to.
//
// Keras's own cache, ~/.keras/datasets, is not searched: keras.datasets stores other
// formats there (imdb.npz, mnist.npz, the pickled cifar-10-batches-py) that these loaders
// do not read.
//
// In a data root it looks for: imdb aclImdb_v1.tar.gz, then aclImdb/;
// cifar10 cifar-10-binary.tar.gz, then cifar-10-batches-bin/; mnist mnist/ and
// fashion_mnist fashion-mnist/ or fashion_mnist/, each holding the four IDX
// files (gzipped or raw). Matches are judged by name, not read.
//
// When nothing is found the error wraps ErrDataSetNotFound and lists every place
// looked, how to point tfrun at the data (-data-dir, $TFRUN_DATA_DIR) and the official
// URLs to download from.
func Locate(name string, dataDir string) (string, error) {
	return locate(name, dataDir, osSearchEnv())
}

// searchEnv is everything Locate consults about the machine, replaceable in tests: a
// test that injects it decides every file and directory the search touches.
type searchEnv struct {
	getenv       func(string) string
	getwd        func() (string, error)
	executable   func() (string, error)       // the running program, symlinks resolved
	readFile     func(string) ([]byte, error) // reads go.mod files (projectDataDirs)
	stat         func(string) (fs.FileInfo, error)
	userCacheDir func() (string, error)
	fashionDir   string // Debian's system directory for fashion_mnist
}

// osSearchEnv is the real machine.
func osSearchEnv() searchEnv {
	return searchEnv{getenv: os.Getenv, getwd: os.Getwd, executable: executable, readFile: os.ReadFile,
		stat: os.Stat, userCacheDir: os.UserCacheDir, fashionDir: systemFashionMNISTDir}
}

// executable is os.Executable with symlinks resolved, so a bin/tfrun linked from
// elsewhere (~/bin/tfrun → checkout/bin/tfrun) still finds its checkout.
func executable() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(p)
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
	roots, project := dataRoots(name, dataDir, env)
	var places []searchPlace
	for _, root := range roots {
		if root.direct {
			places = append(places, root)
			continue
		}
		for _, rel := range candidatePaths(name) {
			places = append(places, searchPlace{path: filepath.Join(root.path, rel), why: root.why})
		}
	}
	for _, p := range places {
		if env.matches(name, p.path) {
			return p.path, nil
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no %s at any of:", src.Title)
	for _, p := range places {
		fmt.Fprintf(&b, "\n\t%s (%s)", p.path, p.why)
	}
	if !project {
		fmt.Fprintf(&b, "\n(no ../shared/data searched: neither the working directory nor the executable is in a tfrun checkout, a go.mod declaring %s)", ModulePath)
	}
	var holds []string
	for _, rel := range candidatePaths(name) {
		if !strings.HasSuffix(rel, ".tar.gz") {
			rel += "/"
		}
		holds = append(holds, rel)
	}
	target := "<root>/"
	if src.Dir != "" {
		target += src.Dir + "/"
	}
	fmt.Fprintf(&b, "\npoint tfrun at the folder that holds %s with -data-dir DIR or $%s=DIR;", strings.Join(holds, " or "), DataDirEnv)
	fmt.Fprintf(&b, " to get the data, download into %s, <root> being that folder or a place above (datasets.Download does this):", target)
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

// dataRoots lists the data roots in search order, and whether a tfrun checkout's
// ../shared/data is among them.
func dataRoots(name, dataDir string, env searchEnv) (roots []searchPlace, project bool) {
	if dataDir != "" {
		roots = append(roots, searchPlace{path: dataDir, why: "dataDir argument (-data-dir)"})
	}
	if d := env.getenv(DataDirEnv); d != "" {
		roots = append(roots, searchPlace{path: d, why: "$" + DataDirEnv})
	}
	proj := projectDataDirs(env)
	roots = append(roots, proj...)
	if name == "fashion_mnist" && env.fashionDir != "" {
		roots = append(roots, searchPlace{path: env.fashionDir, why: "Debian package dataset-fashion-mnist", direct: true})
	}
	if cache, err := env.userCacheDir(); err == nil {
		roots = append(roots, searchPlace{path: filepath.Join(cache, "tfrun", "datasets"), why: "user cache"})
	}
	return roots, len(proj) > 0
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
func (env searchEnv) matches(name, path string) bool {
	isFile := func(p string) bool {
		fi, err := env.stat(p)
		return err == nil && fi.Mode().IsRegular()
	}
	switch {
	case strings.HasSuffix(path, ".tar.gz"):
		return isFile(path)
	case name == "mnist" || name == "fashion_mnist":
		for _, f := range [...]string{MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels} {
			// findMNISTFile's two names, asked of env.
			if !isFile(filepath.Join(path, f)) && !isFile(filepath.Join(path, f+".gz")) {
				return false
			}
		}
		return true
	}
	fi, err := env.stat(path)
	return err == nil && fi.IsDir()
}

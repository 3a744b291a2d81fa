package datasets

import (
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTextDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "neg/a.txt", []byte("bad film"))
	writeFile(t, dir, "neg/b.txt", []byte("dull"))
	writeFile(t, dir, "pos/c.txt", []byte("great film"))
	writeFile(t, dir, "pos/d.TXT", []byte("héllo wörld"))
	writeFile(t, dir, "pos/e.md", []byte("not a text"))
	files, err := TextDirectory(dir, TextDirectoryOptions{DirectoryOptions: DirectoryOptions{NoShuffle: true}, MaxLength: 7})
	if err != nil {
		t.Fatal(err)
	}
	texts, err := files.Texts()
	if err != nil {
		t.Fatal(err)
	}
	// MaxLength 7 cuts "héllo wörld" (é is 2 bytes) after "héllo " (7 bytes),
	// and "great film" after 7 bytes.
	want := []string{"bad fil", "dull", "great f", "héllo "}
	if !slices.Equal(texts, want) {
		t.Errorf("texts %q, want %q", texts, want)
	}
	if !slices.Equal(files.Labels, []int{0, 0, 1, 1}) || files.Skipped != 1 {
		t.Errorf("labels %v skipped %d, want [0 0 1 1] and 1", files.Labels, files.Skipped)
	}
	val, err := files.ValidationTexts()
	if err != nil || len(val) != 0 {
		t.Errorf("ValidationTexts without a split = %q, %v; want none", val, err)
	}
}

func TestReadText(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name      string
		data      []byte
		maxLength int
		want      string
		wantErr   error
		frags     []string
	}{
		{"plain", []byte("a b c"), 0, "a b c", nil, nil},
		{"kept BOM", []byte("\xef\xbb\xbfhi"), 0, "\ufeffhi", nil, nil},
		{"cut inside a rune", []byte("añb"), 2, "a", nil, nil},
		{"cut at a rune", []byte("añb"), 3, "añ", nil, nil},
		{"Latin-1", []byte("caf\xe9 au lait"), 0, "", ErrFormat, []string{"not UTF-8", "0xe9", "offset 3"}},
		{"truncated rune", []byte("ab\xe2\x82"), 0, "", ErrFormat, []string{"offset 2"}},
		{"encoded U+FFFD is valid", []byte("a\xef\xbf\xbdb"), 0, "a\ufffdb", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".txt", tc.data)
			got, err := ReadText(path, tc.maxLength)
			checkErr(t, err, tc.wantErr, append(tc.frags, path)...)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := ReadText(filepath.Join(dir, "none.txt"), 0)
		checkErr(t, err, ErrNotFound, "none.txt")
	})
	t.Run("non-UTF-8 in a directory", func(t *testing.T) {
		d := t.TempDir()
		writeFile(t, d, "a/ok.txt", []byte("fine"))
		bad := writeFile(t, d, "b/bad.txt", []byte{'o', 'k', 0xff})
		files, err := TextDirectory(d, TextDirectoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = files.Texts()
		checkErr(t, err, ErrFormat, bad, "0xff")
	})
	t.Run("negative max_length", func(t *testing.T) {
		_, err := TextDirectory(dir, TextDirectoryOptions{MaxLength: -1})
		checkErr(t, err, ErrInvalidArgument, "max_length")
	})
}

// TestTextDirectoryMatchesLoadIMDBText extracts the IMDB reviews of
// aclImdb_v1.tar.gz into a temporary tree and checks that TextDirectory (with
// class_names [neg, pos]) yields exactly the (text, label) pairs LoadIMDBText
// reads, split by split, and that inferred labels, a validation split and an
// added train/unsup/ folder list the files Keras would.
//
// Without -short it extracts all 50,000 reviews once (about 30 s on an ext4
// disk, under 1 s on a tmpfs: set TMPDIR) and
// compares with LoadIMDBText on the archive itself; with -short it extracts
// the first 200 reviews of each folder and compares with LoadIMDBText on the
// extracted tree. It is skipped only when Locate cannot find the data set.
func TestTextDirectoryMatchesLoadIMDBText(t *testing.T) {
	source, err := Locate("imdb", "")
	if errors.Is(err, ErrDataSetNotFound) {
		t.Skipf("IMDB not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	perFolder := 0 // all
	if testing.Short() {
		perFolder = 200
	}
	root := t.TempDir()
	start := time.Now()
	extractIMDB(t, source, root, perFolder)
	t.Logf("extracted the reviews into %s in %v (set TMPDIR to a tmpfs to speed this up)", root, time.Since(start))

	loadFrom := source
	if perFolder > 0 {
		loadFrom = root
	}
	train, test, err := LoadIMDBText(loadFrom)
	if err != nil {
		t.Fatal(err)
	}
	acl := filepath.Join(root, "aclImdb")
	list := func(t *testing.T, split string, o DirectoryOptions) *TextFiles {
		t.Helper()
		files, err := TextDirectory(filepath.Join(acl, split), TextDirectoryOptions{DirectoryOptions: o})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	reference := map[string][]Review{"train": train, "test": test}
	listed := map[string]map[string]int{} // split → (path, label) multiset with class_names
	for _, split := range []string{"train", "test"} {
		t.Run(split+"/class_names", func(t *testing.T) {
			// Texts are read once per split, here; the other listings are
			// compared with this one by (path, label).
			files := list(t, split, DirectoryOptions{ClassNames: []string{"neg", "pos"}, Seed: 1337})
			texts, err := files.Texts()
			if err != nil {
				t.Fatal(err)
			}
			want := make(map[string]int)
			for _, r := range reference[split] {
				want[multisetKey(r.Text, r.Label)]++
			}
			compareMultisets(t, textMultiset(texts, files.Labels), want)
			listed[split] = textMultiset(files.Paths, files.Labels)
		})
		t.Run(split+"/inferred", func(t *testing.T) {
			files := list(t, split, DirectoryOptions{NoShuffle: true})
			if !slices.Equal(files.ClassNames, []string{"neg", "pos"}) {
				t.Errorf("classes %v, want [neg pos]", files.ClassNames)
			}
			compareMultisets(t, textMultiset(files.Paths, files.Labels), listed[split])
		})
		t.Run(split+"/validation_split", func(t *testing.T) {
			files := list(t, split, DirectoryOptions{Seed: 1337, ValidationSplit: 0.2, Subset: SubsetBoth})
			n := len(reference[split])
			if nv := int(0.2 * float64(n)); files.Validation.Len() != nv || files.Len() != n-nv {
				t.Errorf("split %d + %d, want %d + %d", files.Len(), files.Validation.Len(), n-nv, nv)
			}
			got := textMultiset(files.Paths, files.Labels)
			for k, v := range textMultiset(files.Validation.Paths, files.Validation.Labels) {
				got[k] += v
			}
			compareMultisets(t, got, listed[split])
		})
	}

	// The official tarball also has train/unsup/ (50,000 unlabelled reviews) and
	// loose files in train/. Keras makes unsup a third class unless class_names
	// leaves it out; loose files are in no class.
	unsup := []string{"unsup/0_0.txt", "unsup/1_0.txt", "unsup/2_0.txt"}
	for _, name := range unsup {
		writeFile(t, acl, "train/"+name, []byte("an unlabelled review"))
	}
	writeFile(t, acl, "train/urls_pos.txt", []byte("http://www.imdb.com/title/tt0453418/usercomments\n"))
	writeFile(t, acl, "train/labeledBow.feat", []byte("0 0:9 1:1\n"))
	t.Run("train/unsup inferred", func(t *testing.T) {
		files := list(t, "train", DirectoryOptions{NoShuffle: true})
		if !slices.Equal(files.ClassNames, []string{"neg", "pos", "unsup"}) {
			t.Fatalf("classes %v, want [neg pos unsup]", files.ClassNames)
		}
		want := maps.Clone(listed["train"])
		for _, name := range unsup {
			want[multisetKey(filepath.Join(acl, "train", name), 2)]++
		}
		compareMultisets(t, textMultiset(files.Paths, files.Labels), want)
		if files.Skipped != 0 {
			t.Errorf("%d files skipped, want 0 (loose files are in no class)", files.Skipped)
		}
	})
	t.Run("train/unsup excluded by class_names", func(t *testing.T) {
		files := list(t, "train", DirectoryOptions{ClassNames: []string{"neg", "pos"}, Seed: 1337})
		compareMultisets(t, textMultiset(files.Paths, files.Labels), listed["train"])
	})
}

// extractIMDB writes aclImdb/{train,test}/{neg,pos}/*.txt from source (the
// archive, or an extracted aclImdb/ tree or its parent) under root, at most
// perFolder files per folder when perFolder > 0.
func extractIMDB(t *testing.T, source, root string, perFolder int) {
	t.Helper()
	counts := map[string]int{}
	keep := func(rel string) bool {
		parts := strings.Split(rel, "/")
		if len(parts) != 3 || (parts[0] != "train" && parts[0] != "test") || (parts[1] != "neg" && parts[1] != "pos") || !strings.HasSuffix(parts[2], ".txt") {
			return false
		}
		folder := parts[0] + "/" + parts[1]
		if perFolder > 0 && counts[folder] >= perFolder {
			return false
		}
		counts[folder]++
		return true
	}
	write := func(rel string, r io.Reader) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		writeFile(t, root, "aclImdb/"+rel, data)
		return nil
	}
	if !isDir(source) {
		err := walkTar(source, func(name string, _ int64, r io.Reader) error {
			rel, ok := strings.CutPrefix(name, "aclImdb/")
			if !ok || !keep(rel) {
				return nil
			}
			return write(rel, r)
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	tree := source
	if isDir(filepath.Join(source, "aclImdb")) {
		tree = filepath.Join(source, "aclImdb")
	}
	err := filepath.WalkDir(tree, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		r, err := filepath.Rel(tree, path)
		if err != nil || !keep(filepath.ToSlash(r)) {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return write(filepath.ToSlash(r), f)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func multisetKey(text string, label int) string {
	return string(rune('0'+label)) + "\x00" + text
}

func textMultiset(texts []string, labels []int) map[string]int {
	m := make(map[string]int, len(texts))
	for i, text := range texts {
		m[multisetKey(text, labels[i])]++
	}
	return m
}

func compareMultisets(t *testing.T, got, want map[string]int) {
	t.Helper()
	bad := 0
	for k, n := range want {
		if got[k] != n {
			bad++
			if bad <= 3 {
				label, text, _ := strings.Cut(k, "\x00")
				t.Errorf("label %s text %.60q: %d times, want %d", label, text, got[k], n)
			}
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			bad++
			if bad <= 3 {
				label, text, _ := strings.Cut(k, "\x00")
				t.Errorf("unexpected label %s text %.60q (%d times)", label, text, n)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d (text, label) pairs differ", bad)
	}
}

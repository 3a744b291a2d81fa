package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// imdbEntries is a tiny aclImdb tree in scrambled order, with the members the
// official archive has besides the labelled reviews.
func imdbEntries(prefix string) []tarEntry {
	p := prefix + "aclImdb/"
	return []tarEntry{
		{Name: p, Dir: true},
		{Name: p + "README", Body: []byte("Large Movie Review Dataset v1.0")},
		{Name: p + "imdb.vocab", Body: []byte("the\nand\n")},
		{Name: p + "train/", Dir: true},
		{Name: p + "train/pos/", Dir: true},
		{Name: p + "train/pos/10_9.txt", Body: []byte("Great<br />film.")},
		{Name: p + "train/neg/", Dir: true},
		{Name: p + "train/neg/2_1.txt", Body: []byte("Awful.")},
		{Name: p + "train/pos/3_7.txt", Body: []byte("Good.")},
		{Name: p + "train/neg/0_4.txt", Body: []byte("Meh.")},
		{Name: p + "train/labeledBow.feat", Body: []byte("0 0:1\n")},
		{Name: p + "train/unsup/", Dir: true},
		{Name: p + "train/unsup/5_0.txt", Body: []byte("unlabelled")},
		{Name: p + "train/urls_pos.txt", Body: []byte("http://example.invalid/\n")},
		{Name: p + "test/pos/0_10.txt", Body: []byte("Loved it")},
		{Name: p + "test/neg/1_3.txt", Body: []byte("Boring")},
		{Name: p + "test/neg/notes.md", Body: []byte("not a review")},
	}
}

var (
	wantIMDBTrain = []Review{
		{Text: "Meh.", Label: 0, ID: 0, Rating: 4},
		{Text: "Awful.", Label: 0, ID: 2, Rating: 1},
		{Text: "Good.", Label: 1, ID: 3, Rating: 7},
		{Text: "Great<br />film.", Label: 1, ID: 10, Rating: 9},
	}
	wantIMDBTest = []Review{
		{Text: "Boring", Label: 0, ID: 1, Rating: 3},
		{Text: "Loved it", Label: 1, ID: 0, Rating: 10},
	}
)

func TestLoadIMDBText(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
	}{
		{"tar.gz", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "aclImdb_v1.tar.gz", tarBytes(t, imdbEntries(""), true))
		}},
		{"tar.gz with ./ names", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "imdb.tgz", tarBytes(t, imdbEntries("./"), true))
		}},
		{"plain tar", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "aclImdb_v1.tar", tarBytes(t, imdbEntries(""), false))
		}},
		{"directory containing aclImdb", func(t *testing.T, dir string) string {
			extractTar(t, dir, imdbEntries(""))
			return dir
		}},
		{"aclImdb itself", func(t *testing.T, dir string) string {
			extractTar(t, dir, imdbEntries(""))
			return filepath.Join(dir, "aclImdb")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, test, err := LoadIMDBText(tt.setup(t, t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(train, wantIMDBTrain) {
				t.Errorf("train = %+v, want %+v", train, wantIMDBTrain)
			}
			if !slices.Equal(test, wantIMDBTest) {
				t.Errorf("test = %+v, want %+v", test, wantIMDBTest)
			}
		})
	}
}

func TestLoadIMDBTextErrors(t *testing.T) {
	with := func(extra ...tarEntry) []tarEntry { return append(imdbEntries(""), extra...) }
	without := func(folder string) []tarEntry {
		var out []tarEntry
		for _, e := range imdbEntries("") {
			if dir := filepath.Dir(e.Name); dir != "aclImdb/"+folder {
				out = append(out, e)
			}
		}
		return out
	}
	full := tarBytes(t, imdbEntries(""), true)
	tests := []struct {
		name      string
		archive   []byte
		want      error
		fragments []string
	}{
		{"truncated archive", full[:len(full)*2/3], ErrFormat, []string{"unexpected EOF"}},
		{"corrupt gzip", corruptGzipTrailer(full), ErrFormat, []string{"checksum"}},
		{"not an archive", []byte("plain text, not a tarball; plain text, not a tarball"), ErrFormat, nil},
		{"no reviews", tarBytes(t, []tarEntry{{Name: "aclImdb/README", Body: []byte("x")}}, true), ErrNotFound,
			[]string{"no reviews", "aclImdb/train/neg/, aclImdb/train/pos/, aclImdb/test/neg/, aclImdb/test/pos/"}},
		{"wrong top directory", tarBytes(t, imdbEntries("imdb/"), true), ErrNotFound, []string{"no reviews"}},
		{"empty folder", tarBytes(t, without("test/pos"), true), ErrNotFound, []string{"no reviews (<id>_<rating>.txt) in aclImdb/test/pos/"}},
		{"bad name", tarBytes(t, with(tarEntry{Name: "aclImdb/train/pos/x_9.txt", Body: []byte("y")}), true), ErrFormat,
			[]string{"aclImdb/train/pos/x_9.txt", "not <id>_<rating>.txt"}},
		{"missing rating", tarBytes(t, with(tarEntry{Name: "aclImdb/train/pos/12.txt", Body: []byte("y")}), true), ErrFormat,
			[]string{"aclImdb/train/pos/12.txt"}},
		{"rating of the other folder", tarBytes(t, with(tarEntry{Name: "aclImdb/test/neg/4_8.txt", Body: []byte("y")}), true), ErrFormat,
			[]string{"rating 8 outside 1–4 of folder neg/"}},
		{"neutral rating", tarBytes(t, with(tarEntry{Name: "aclImdb/train/pos/4_5.txt", Body: []byte("y")}), true), ErrFormat,
			[]string{"rating 5 outside 7–10 of folder pos/"}},
		{"duplicate id", tarBytes(t, with(tarEntry{Name: "aclImdb/train/neg/2_3.txt", Body: []byte("y")}), true), ErrFormat,
			[]string{"two reviews with id 2 in aclImdb/train/neg/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "aclImdb_v1.tar.gz", tt.archive)
			_, _, err := LoadIMDBText(path)
			checkErr(t, err, tt.want, append([]string{"load IMDB", path}, tt.fragments...)...)
		})
	}
	t.Run("missing path", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "aclImdb_v1.tar.gz")
		_, _, err := LoadIMDBText(p)
		checkErr(t, err, ErrNotFound, p)
	})
	t.Run("directory without folders", func(t *testing.T) {
		dir := t.TempDir()
		_, _, err := LoadIMDBText(dir)
		checkErr(t, err, ErrNotFound, dir, "train/neg")
	})
	t.Run("directory with a bad name", func(t *testing.T) {
		dir := t.TempDir()
		extractTar(t, dir, with(tarEntry{Name: "aclImdb/test/pos/7.txt", Body: []byte("y")}))
		_, _, err := LoadIMDBText(dir)
		checkErr(t, err, ErrFormat, "aclImdb/test/pos/7.txt")
	})
	t.Run("unreadable review", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root can read any file")
		}
		dir := t.TempDir()
		extractTar(t, dir, imdbEntries(""))
		p := filepath.Join(dir, "aclImdb", "train", "neg", "0_4.txt")
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadIMDBText(dir)
		checkErr(t, err, ErrIO, fmt.Sprint(p))
	})
}

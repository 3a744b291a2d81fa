package datasets

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// makeTree writes each name (slash-separated, relative to a new temporary
// directory) with its own name as contents, and returns the directory.
func makeTree(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		writeFile(t, dir, n, []byte(n))
	}
	return dir
}

// rel strips dir from paths and turns separators into slashes.
func rel(t *testing.T, dir string, paths []string) []string {
	t.Helper()
	out := make([]string, len(paths))
	for i, p := range paths {
		r, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = filepath.ToSlash(r)
	}
	return out
}

func TestIndexDirectoryOrderAndLabels(t *testing.T) {
	dir := makeTree(t,
		"b/2.txt", "b/10.txt", "b/sub/1.txt", "b/sub/deeper/1.txt", "b/sub-x/1.txt", "b/sub x/1.txt", "b/UPPER.TXT",
		"a/z.txt", "a/notes.md", "a/.hidden.txt",
		".git/x.txt",      // hidden folder: not a class
		"loose.txt",       // not in a class folder: ignored, not counted
		"c/empty.md",      // a class with no texts
		"a/deep/er/x.txt", // nested twice
	)
	files, err := indexDirectory("test", dir, textFormats[:], DirectoryOptions{NoShuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(files.ClassNames, want) {
		t.Errorf("classes %v, want %v", files.ClassNames, want)
	}
	// Keras sorts os.walk's roots as strings: "b" < "b/sub" < "b/sub x" <
	// "b/sub-x" < "b/sub/deeper", because ' ' (0x20) and '-' (0x2d) sort
	// before '/' (0x2f). Names sort as bytes: "10.txt" < "2.txt" < "UPPER.TXT".
	want := []string{
		"a/.hidden.txt", "a/z.txt", "a/deep/er/x.txt",
		"b/10.txt", "b/2.txt", "b/UPPER.TXT", "b/sub/1.txt", "b/sub x/1.txt", "b/sub-x/1.txt", "b/sub/deeper/1.txt",
	}
	if got := rel(t, dir, files.Paths); !slices.Equal(got, want) {
		t.Errorf("paths\n got %q\nwant %q", got, want)
	}
	if want := []int{0, 0, 0, 1, 1, 1, 1, 1, 1, 1}; !slices.Equal(files.Labels, want) {
		t.Errorf("labels %v, want %v", files.Labels, want)
	}
	if files.Skipped != 2 {
		t.Errorf("skipped %d, want 2 (a/notes.md, c/empty.md)", files.Skipped)
	}
	if got, want := files.String(), "10 files belonging to 3 classes"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestIndexDirectoryClassNames(t *testing.T) {
	dir := makeTree(t, "neg/1.txt", "neg/2.txt", "pos/1.txt", "unsup/1.txt", "unsup/2.txt")
	inferred, err := indexDirectory("test", dir, textFormats[:], DirectoryOptions{NoShuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"neg", "pos", "unsup"}; !slices.Equal(inferred.ClassNames, want) {
		t.Errorf("inferred classes %v, want %v (unsup is a class unless class_names says otherwise)", inferred.ClassNames, want)
	}
	given, err := indexDirectory("test", dir, textFormats[:], DirectoryOptions{NoShuffle: true, ClassNames: []string{"pos", "neg"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pos/1.txt", "neg/1.txt", "neg/2.txt"}; !slices.Equal(rel(t, dir, given.Paths), want) {
		t.Errorf("paths %v, want %v", rel(t, dir, given.Paths), want)
	}
	if want := []int{0, 1, 1}; !slices.Equal(given.Labels, want) {
		t.Errorf("labels %v, want %v (class_names order)", given.Labels, want)
	}
}

func TestIndexDirectoryShuffleMatchesNumpy(t *testing.T) {
	var names []string
	for i := range 10 {
		names = append(names, "c"+string(rune('0'+i/5))+"/"+string(rune('a'+i))+".txt")
	}
	dir := makeTree(t, names...) // c0/a..e, c1/f..j
	files, err := indexDirectory("test", dir, textFormats[:], DirectoryOptions{Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	// np.random.RandomState(42).shuffle(list(range(10))) == [8 1 5 0 7 2 9 4 3 6]
	perm := []int{8, 1, 5, 0, 7, 2, 9, 4, 3, 6}
	for i, j := range perm {
		if got, want := rel(t, dir, files.Paths[i:i+1])[0], names[j]; got != want || files.Labels[i] != j/5 {
			t.Errorf("file %d is %s label %d, want %s label %d", i, got, files.Labels[i], want, j/5)
		}
	}
}

func TestIndexDirectoryValidationSplit(t *testing.T) {
	var names []string
	for i := range 10 {
		names = append(names, []string{"x", "y"}[i%2]+"/"+string(rune('a'+i))+".txt")
	}
	dir := makeTree(t, names...)
	base := DirectoryOptions{Seed: 7, ValidationSplit: 0.25}
	subset := func(s string) *DirectoryFiles {
		o := base
		o.Subset = s
		f, err := indexDirectory("test", dir, textFormats[:], o)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	train, val, both := subset(SubsetTraining), subset(SubsetValidation), subset(SubsetBoth)
	// Keras: num_val_samples = int(0.25 * 10) = 2, taken from the end.
	if train.Len() != 8 || val.Len() != 2 {
		t.Fatalf("training %d, validation %d files; want 8 and 2", train.Len(), val.Len())
	}
	if !slices.Equal(both.Paths, train.Paths) || !slices.Equal(both.Validation.Paths, val.Paths) || !slices.Equal(both.Validation.Labels, val.Labels) {
		t.Errorf("subset both differs from training + validation")
	}
	all, err := indexDirectory("test", dir, textFormats[:], DirectoryOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if got := append(slices.Clone(train.Paths), val.Paths...); !slices.Equal(got, all.Paths) {
		t.Errorf("training + validation %v, want the shuffled list %v", got, all.Paths)
	}
	if got, want := both.String(), "10 files belonging to 2 classes (8 for training, 2 for validation)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestIndexDirectoryErrors(t *testing.T) {
	two := []string{"a/1.txt", "a/2.txt", "b/1.txt"}
	tests := []struct {
		name  string
		tree  []string
		dirs  []string // extra empty folders
		o     DirectoryOptions
		want  error
		frags []string
	}{
		{"empty folder", nil, nil, DirectoryOptions{}, ErrNotFound, []string{"no class subfolders"}},
		{"only loose files", []string{"x.txt"}, nil, DirectoryOptions{}, ErrNotFound, []string{"no class subfolders"}},
		{"one class", []string{"only/1.txt"}, nil, DirectoryOptions{}, ErrFormat, []string{`"only"`, "2 or more"}},
		{"no texts", []string{"a/1.md", "b/2.png"}, nil, DirectoryOptions{}, ErrNotFound, []string{"no .txt files", "2 other files skipped"}},
		{"empty class folders", nil, []string{"a", "b"}, DirectoryOptions{}, ErrNotFound, []string{"no .txt files"}},
		{"unknown class name", two, nil, DirectoryOptions{ClassNames: []string{"a", "c"}}, ErrInvalidArgument, []string{`"c"`, "subfolders: a, b"}},
		{"duplicate class name", two, nil, DirectoryOptions{ClassNames: []string{"a", "a"}}, ErrInvalidArgument, []string{"twice"}},
		{"one class name", two, nil, DirectoryOptions{ClassNames: []string{"a"}}, ErrInvalidArgument, []string{"2 or more"}},
		{"path as class name", two, nil, DirectoryOptions{ClassNames: []string{"a/b", "a"}}, ErrInvalidArgument, []string{"not a folder name"}},
		{"split without subset", two, nil, DirectoryOptions{ValidationSplit: 0.2}, ErrInvalidArgument, []string{"set both or neither"}},
		{"subset without split", two, nil, DirectoryOptions{Subset: SubsetTraining}, ErrInvalidArgument, []string{"set both or neither"}},
		{"split of 1", two, nil, DirectoryOptions{ValidationSplit: 1, Subset: SubsetTraining}, ErrInvalidArgument, []string{"(0, 1)"}},
		{"negative split", two, nil, DirectoryOptions{ValidationSplit: -0.1, Subset: SubsetTraining}, ErrInvalidArgument, []string{"(0, 1)"}},
		{"unknown subset", two, nil, DirectoryOptions{ValidationSplit: 0.5, Subset: "test"}, ErrInvalidArgument, []string{`"test"`, "training, validation, both"}},
		{"negative seed", two, nil, DirectoryOptions{Seed: -1}, ErrInvalidArgument, []string{"seed is -1"}},
		{"seed too large", two, nil, DirectoryOptions{Seed: 1 << 32}, ErrInvalidArgument, []string{"0..4294967295"}},
		{"split leaves no validation", two, nil, DirectoryOptions{ValidationSplit: 0.2, Subset: SubsetTraining}, ErrInvalidArgument, []string{"3 files", "0 for validation"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := makeTree(t, tc.tree...)
			for _, d := range tc.dirs {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			_, err := indexDirectory("test", dir, textFormats[:], tc.o)
			checkErr(t, err, tc.want, append(tc.frags, dir)...)
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		_, err := indexDirectory("test", filepath.Join(t.TempDir(), "nope"), textFormats[:], DirectoryOptions{})
		checkErr(t, err, ErrNotFound, "nope")
	})
}

func TestIndexDirectoryLinks(t *testing.T) {
	dir := makeTree(t, "a/1.txt", "elsewhere/in.txt")
	other := makeTree(t, "b/2.txt")
	// A class folder that is a link is always a class, as in Keras.
	if err := os.Symlink(filepath.Join(other, "b"), filepath.Join(dir, "b")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	// A link to a directory inside a class folder is followed only with FollowLinks.
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(dir, "a", "linked")); err != nil {
		t.Fatal(err)
	}
	list := func(follow bool) ([]string, error) {
		f, err := indexDirectory("test", dir, textFormats[:], DirectoryOptions{NoShuffle: true, FollowLinks: follow, ClassNames: []string{"a", "b"}})
		if err != nil {
			return nil, err
		}
		return rel(t, dir, f.Paths), nil
	}
	got, err := list(false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a/1.txt", "b/2.txt"}; !slices.Equal(got, want) {
		t.Errorf("without follow_links: %v, want %v", got, want)
	}
	got, err = list(true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a/1.txt", "a/linked/in.txt", "b/2.txt"}; !slices.Equal(got, want) {
		t.Errorf("with follow_links: %v, want %v", got, want)
	}
	// A cycle is an error with follow_links (os.walk would loop until paths get too long).
	if err := os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "a", "loop")); err != nil {
		t.Fatal(err)
	}
	_, err = list(true)
	checkErr(t, err, ErrFormat, "cycle", "loop")
	if _, err := list(false); err != nil {
		t.Errorf("without follow_links the cycle is not walked: %v", err)
	}
}

func TestHasFormat(t *testing.T) {
	for name, want := range map[string]bool{"a.txt": true, "A.TXT": true, "a.txt.bak": false, ".txt": true, "txt": false} {
		if got := hasFormat(name, textFormats[:]); got != want {
			t.Errorf("hasFormat(%q) = %v, want %v", name, got, want)
		}
	}
}

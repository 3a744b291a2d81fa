package datasets

import (
	"image/color"
	"slices"
	"testing"
)

func TestImageDirectory(t *testing.T) {
	dir := t.TempDir()
	px := uniformNRGBA(2, 2, color.NRGBA{9, 9, 9, 255})
	writeFile(t, dir, "cat/1.png", encodeImage(t, "png", px))
	writeFile(t, dir, "cat/2.JPG", encodeImage(t, "jpeg", px))
	writeFile(t, dir, "cat/notes.txt", []byte("not an image"))
	writeFile(t, dir, "cat/3.webp", []byte("RIFF....WEBP"))
	writeFile(t, dir, "dog/4.gif", encodeImage(t, "gif", px))
	writeFile(t, dir, "dog/5.Bmp", encodeImage(t, "bmp", px))
	writeFile(t, dir, "dog/6.jpeg", encodeImage(t, "jpeg", px))
	writeFile(t, dir, "README.md", []byte("loose file, in no class"))
	files, err := ImageDirectory(dir, ImageDirectoryOptions{DirectoryOptions{NoShuffle: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cat/1.png", "cat/2.JPG", "dog/4.gif", "dog/5.Bmp", "dog/6.jpeg"}
	if got := rel(t, dir, files.Paths); !slices.Equal(got, want) {
		t.Errorf("paths %v, want %v", got, want)
	}
	if !slices.Equal(files.Labels, []int{0, 0, 1, 1, 1}) || !slices.Equal(files.ClassNames, []string{"cat", "dog"}) {
		t.Errorf("labels %v classes %v", files.Labels, files.ClassNames)
	}
	if files.Skipped != 2 {
		t.Errorf("skipped %d, want 2 (notes.txt, 3.webp)", files.Skipped)
	}
	for _, p := range files.Paths {
		if _, err := LoadImage(p, ImageLoadOptions{ImageSize: [2]int{4, 4}}); err != nil {
			t.Errorf("LoadImage(%s): %v", p, err)
		}
	}
}

func TestImageDirectoryBadInput(t *testing.T) {
	png := encodeImage(t, "png", uniformNRGBA(1, 1, color.NRGBA{A: 255}))
	tests := []struct {
		name  string
		files map[string][]byte
		o     DirectoryOptions
		want  error
		frags []string
	}{
		{"empty folder", nil, DirectoryOptions{}, ErrNotFound, []string{"no class subfolders"}},
		{"single class", map[string][]byte{"only/1.png": png}, DirectoryOptions{}, ErrFormat, []string{`only one class subfolder, "only"`}},
		{"no images", map[string][]byte{"a/1.txt": nil, "b/2.tiff": nil}, DirectoryOptions{}, ErrNotFound, []string{".bmp .gif .jpeg .jpg .png", "2 other files skipped"}},
		{"split too small", map[string][]byte{"a/1.png": png, "b/1.png": png}, DirectoryOptions{ValidationSplit: 0.3, Subset: SubsetValidation}, ErrInvalidArgument, []string{"2 files"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				writeFile(t, dir, name, data)
			}
			_, err := ImageDirectory(dir, ImageDirectoryOptions{tc.o})
			checkErr(t, err, tc.want, append(tc.frags, dir)...)
		})
	}
}

package datasets

import (
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// wantPixels is image i of files decoded alone with LoadImage and scaled.
func wantPixels(t *testing.T, files LabeledFiles, i int, o ImageLoadOptions, scale func([]float32)) []float32 {
	t.Helper()
	img, err := LoadImage(files.Paths[i], o)
	if err != nil {
		t.Fatal(err)
	}
	if scale != nil {
		scale(img.Pix)
	}
	return img.Pix
}

// checkBatch compares a stream's batch of idx with the images decoded one by one.
func checkBatch(t *testing.T, b *ImageBatch, files LabeledFiles, idx []int, o ImageLoadOptions, scale func([]float32)) {
	t.Helper()
	if b.Len != len(idx) {
		t.Fatalf("batch of %d images, want %d", b.Len, len(idx))
	}
	size := b.Height * b.Width * b.Channels
	for k, i := range idx {
		if want := wantPixels(t, files, i, o, scale); !slices.Equal(b.Images[k*size:(k+1)*size], want) {
			t.Fatalf("image %d of the batch (file %d) differs from LoadImage's", k, i)
		}
		if int(b.Labels[k]) != files.Labels[i] {
			t.Errorf("label %d of the batch is %d, want %d", k, b.Labels[k], files.Labels[i])
		}
	}
}

// TestImageStreamPlanned: a planned epoch is served from the read-ahead, batch for batch
// the images LoadImage decodes, scaled, and the read-ahead holds at most
// ImageBatchesAhead+1 decoded batches although the consumer is slow.
func TestImageStreamPlanned(t *testing.T) {
	files := indexedImages(t, 23, 3, 2)
	s, err := NewImageStream(files, gray32, ScaleFloatsToTanh, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	order := Shuffle(files.Len(), 7)
	const bs = 2
	if err := s.Plan(order, bs); err != nil {
		t.Fatal(err)
	}
	for start := 0; start < len(order); start += bs {
		idx := order[start:min(start+bs, len(order))]
		time.Sleep(5 * time.Millisecond) // a training step: the workers run ahead
		b, err := s.Batch(idx)
		if err != nil {
			t.Fatal(err)
		}
		checkBatch(t, b, files, idx, gray32, ScaleFloatsToTanh)
	}
	st := s.Stats()
	if st.Planned != 12 || st.Unplanned != 0 {
		t.Errorf("stats %+v: want 12 planned batches and none on demand", st)
	}
	if st.MaxHeld < 1 || st.MaxHeld > ImageBatchesAhead+1 {
		t.Errorf("at most %d decoded batches held, want 1..%d", st.MaxHeld, ImageBatchesAhead+1)
	}
}

// TestImageStreamUnplanned: batches nobody planned are still the right images: consecutive
// ones start a read-ahead to the end (evaluation), others are decoded on the spot; a plan
// abandoned half-way is replaced.
func TestImageStreamUnplanned(t *testing.T) {
	files := indexedImages(t, 10, 3, 2)
	s, err := NewImageStream(files, gray32, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := []struct {
		idx                []int
		planned, unplanned int
	}{
		{[]int{0, 1, 2}, 1, 0}, // consecutive: reads 0..9 ahead in batches of 3
		{[]int{3, 4, 5}, 2, 0}, // the next of that read-ahead
		{[]int{9, 2}, 2, 1},    // neither
		{[]int{6, 7, 8}, 3, 1}, // the read-ahead from 0 goes on
		{[]int{9}, 4, 1},       // its last, smaller batch
	}
	for _, st := range steps {
		b, err := s.Batch(st.idx)
		if err != nil {
			t.Fatal(err)
		}
		checkBatch(t, b, files, st.idx, gray32, nil)
		if got := s.Stats(); got.Planned != st.planned || got.Unplanned != st.unplanned {
			t.Errorf("after %v: %d planned, %d on demand; want %d, %d", st.idx, got.Planned, got.Unplanned, st.planned, st.unplanned)
		}
	}
	if _, err := s.Batch([]int{10}); err == nil {
		t.Error("index 10 of 10 files: no error")
	}
	if _, err := s.Batch(nil); err == nil {
		t.Error("empty batch: no error")
	}
}

// TestImageStreamSubset: a subset streams its files in the subset's order.
func TestImageStreamSubset(t *testing.T) {
	files := indexedImages(t, 6, 3, 2)
	s, err := NewImageStream(files, gray32, ScaleFloatsToUnit, 1)
	if err != nil {
		t.Fatal(err)
	}
	sub := s.Subset([]int{5, 0, 3})
	defer sub.Close()
	b, err := sub.Batch([]int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := LabeledFiles{Paths: []string{files.Paths[5], files.Paths[0], files.Paths[3]}, Labels: []int{files.Labels[5], files.Labels[0], files.Labels[3]}}
	checkBatch(t, b, want, []int{0, 1, 2}, gray32, ScaleFloatsToUnit)
	if sub.Len() != 3 || s.Len() != 6 {
		t.Errorf("lengths %d and %d, want 3 and 6", sub.Len(), s.Len())
	}
}

// TestImageStreamDecodeError: a file that fails to decode fails the batch that holds it,
// naming it.
func TestImageStreamDecodeError(t *testing.T) {
	files := indexedImages(t, 6, 3, 2)
	if err := os.WriteFile(files.Paths[4], []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewImageStream(files, gray32, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Plan([]int{0, 1, 2, 3, 4, 5}, 2); err != nil {
		t.Fatal(err)
	}
	for _, idx := range [][]int{{0, 1}, {2, 3}} {
		if _, err := s.Batch(idx); err != nil {
			t.Fatalf("batch %v: %v", idx, err)
		}
	}
	_, err = s.Batch([]int{4, 5})
	checkErr(t, err, ErrFormat, files.Paths[4])
}

func TestNewImageStreamErrors(t *testing.T) {
	files := indexedImages(t, 2, 3, 2)
	_, err := NewImageStream(files, ImageLoadOptions{ColorMode: "cmyk"}, nil, 1)
	checkErr(t, err, ErrInvalidArgument, "cmyk")
	_, err = NewImageStream(LabeledFiles{Paths: files.Paths, Labels: []int{0}}, gray32, nil, 1)
	checkErr(t, err, ErrInvalidArgument, "1 labels for 2 files")
}

func TestCacheImages(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name       string
		cache      *bool
		n, h, w, c int
		want       bool
	}{
		{"CIFAR-10's 60000 32×32 RGB images fit", nil, 60000, 32, 32, 3, true},
		{"5000 256×256 RGB images do not", nil, 5000, 256, 256, 3, false},
		{"exactly the budget", nil, DefaultImageCacheBytes / 4, 1, 1, 1, true},
		{"one value more", nil, DefaultImageCacheBytes/4 + 1, 1, 1, 1, false},
		{"cache: true wins", &yes, 5000, 256, 256, 3, true},
		{"cache: false wins", &no, 10, 8, 8, 1, false},
	} {
		if got := CacheImages(tc.cache, tc.n, tc.h, tc.w, tc.c); got != tc.want {
			t.Errorf("%s: CacheImages = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCheckImageHeaders: every file's header is read before a folder is streamed; the
// first bad file in order is named.
func TestCheckImageHeaders(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.png", encodeImage(t, "png", uniformNRGBA(4, 4, color.NRGBA{1, 2, 3, 255})))
	if err := CheckImageHeaders([]string{good, good}, 2); err != nil {
		t.Fatalf("good files: %v", err)
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		frags []string
	}{
		{"huge.png", pngIHDROnly(100000, 100000), []string{"100000×100000"}},
		{"text.png", []byte("hello"), []string{"not a PNG, JPEG, GIF or BMP image"}},
		{"empty.jpg", nil, []string{"not a PNG"}},
		{"cut.png", encodeImage(t, "png", uniformNRGBA(4, 4, color.NRGBA{}))[:12], []string{"header"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := writeFile(t, dir, tc.name, tc.data)
			err := CheckImageHeaders([]string{good, bad, good}, 2)
			checkErr(t, err, ErrFormat, append(tc.frags, bad)...)
		})
	}
	t.Run("missing", func(t *testing.T) {
		missing := filepath.Join(dir, "gone.png")
		if err := CheckImageHeaders([]string{good, missing}, 1); err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("error %v, want one naming %s", err, missing)
		}
	})
	t.Run("directory", func(t *testing.T) {
		sub := filepath.Join(dir, "sub.png")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		checkErr(t, CheckImageHeaders([]string{sub}, 1), ErrFormat, "not a regular file", sub)
	})
}

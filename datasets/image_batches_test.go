package datasets

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// indexedImages writes n gray PNGs of h×w whose pixels all hold 3*i (i the
// file's index) and returns them with labels i%3.
func indexedImages(t *testing.T, n, h, w int) LabeledFiles {
	t.Helper()
	dir := t.TempDir()
	var files LabeledFiles
	for i := range n {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for k := range img.Pix {
			img.Pix[k] = uint8(3 * i)
		}
		files.Paths = append(files.Paths, writeFile(t, dir, fmt.Sprintf("%03d.png", i), encodeImage(t, "png", img)))
		files.Labels = append(files.Labels, i%3)
	}
	return files
}

// next calls b.Next, failing the test instead of hanging if it does not return
// within a few seconds.
func next(t *testing.T, b *ImageBatches) (*ImageBatch, error) {
	t.Helper()
	type result struct {
		batch *ImageBatch
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		batch, err := b.Next()
		ch <- result{batch, err}
	}()
	select {
	case r := <-ch:
		return r.batch, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("Next did not return within 10 s")
		return nil, nil
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

var gray32 = ImageLoadOptions{ImageSize: [2]int{3, 2}, ColorMode: ColorModeGrayscale}

func TestImageBatchesOrder(t *testing.T) {
	files := indexedImages(t, 11, 3, 2)
	order := []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	b, err := NewImageBatches(context.Background(), files, order, 4, gray32, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.NumBatches() != 3 {
		t.Errorf("%d batches, want 3", b.NumBatches())
	}
	pos := 0
	for k, wantLen := range []int{4, 4, 3} {
		batch, err := next(t, b)
		if err != nil {
			t.Fatalf("batch %d: %v", k, err)
		}
		if batch.Len != wantLen || batch.Height != 3 || batch.Width != 2 || batch.Channels != 1 || len(batch.Images) != wantLen*6 {
			t.Fatalf("batch %d: %d images of %d×%d×%d (%d values)", k, batch.Len, batch.Height, batch.Width, batch.Channels, len(batch.Images))
		}
		for j := range batch.Len {
			i := order[pos]
			if got := batch.Images[j*6 : (j+1)*6]; slices.ContainsFunc(got, func(v float32) bool { return v != float32(3*i) }) {
				t.Errorf("batch %d image %d = %v, want file %d (all %d)", k, j, got, i, 3*i)
			}
			if batch.Labels[j] != int32(i%3) || batch.Paths[j] != files.Paths[i] {
				t.Errorf("batch %d image %d: label %d path %s, want %d %s", k, j, batch.Labels[j], batch.Paths[j], i%3, files.Paths[i])
			}
			pos++
		}
	}
	for range 2 {
		if _, err := next(t, b); err != io.EOF {
			t.Fatalf("after the last batch: %v, want io.EOF", err)
		}
	}
}

func TestImageBatchesNoLabels(t *testing.T) {
	files := indexedImages(t, 3, 3, 2)
	files.Labels = nil
	b, err := NewImageBatches(context.Background(), files, nil, 8, gray32, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	batch, err := next(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if batch.Len != 3 || batch.Labels != nil {
		t.Errorf("got %d images, labels %v; want 3 and none", batch.Len, batch.Labels)
	}
}

func TestImageBatchesReadAheadIsBounded(t *testing.T) {
	files := indexedImages(t, 30, 3, 2)
	const batchSize = 3
	b, err := NewImageBatches(context.Background(), files, nil, batchSize, gray32, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	bound := int64(ImageBatchesAhead * batchSize)
	if !waitFor(5*time.Second, func() bool { return b.decoded.Load() == bound }) {
		t.Fatalf("decoded %d images with no batch read, want %d", b.decoded.Load(), bound)
	}
	time.Sleep(50 * time.Millisecond)
	if got := b.decoded.Load(); got != bound {
		t.Errorf("decoded %d images with no batch read, want it to stop at %d", got, bound)
	}
	if _, err := next(t, b); err != nil {
		t.Fatal(err)
	}
	bound += batchSize // one batch consumed: one more may be decoded
	if !waitFor(5*time.Second, func() bool { return b.decoded.Load() == bound }) {
		t.Fatalf("decoded %d images after one batch, want %d", b.decoded.Load(), bound)
	}
}

func TestImageBatchesDecodeError(t *testing.T) {
	files := indexedImages(t, 10, 3, 2)
	writeFile(t, filepath.Dir(files.Paths[6]), filepath.Base(files.Paths[6]), []byte("\x89PNG\r\n\x1a\ntruncated"))
	writeFile(t, filepath.Dir(files.Paths[7]), filepath.Base(files.Paths[7]), []byte("garbage"))
	b, err := NewImageBatches(context.Background(), files, nil, 3, gray32, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for k := range 2 {
		if _, err := next(t, b); err != nil {
			t.Fatalf("batch %d: %v", k, err)
		}
	}
	_, err = next(t, b)
	checkErr(t, err, ErrFormat, files.Paths[6]) // the first bad file in batch order
	_, again := next(t, b)
	if again != err {
		t.Errorf("second Next after the error: %v, want the same error", again)
	}
}

func TestImageBatchesMixedSizes(t *testing.T) {
	small := indexedImages(t, 4, 3, 2)
	large := indexedImages(t, 2, 4, 2)
	files := LabeledFiles{Paths: append(slices.Clone(small.Paths), large.Paths...)}
	o := noResize(ColorModeGrayscale)
	t.Run("within a batch", func(t *testing.T) {
		b, err := NewImageBatches(context.Background(), files, []int{0, 4, 1}, 3, o, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		_, err = next(t, b)
		checkErr(t, err, ErrFormat, files.Paths[4], "4×2", files.Paths[0], "3×2", "image_size")
	})
	t.Run("across batches", func(t *testing.T) {
		b, err := NewImageBatches(context.Background(), files, []int{0, 1, 4, 5}, 2, o, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if _, err := next(t, b); err != nil {
			t.Fatal(err)
		}
		_, err = next(t, b)
		checkErr(t, err, ErrFormat, files.Paths[4], "4×2", files.Paths[0])
	})
	t.Run("resized sizes mix fine", func(t *testing.T) {
		b, err := NewImageBatches(context.Background(), files, nil, 6, gray32, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if _, err := next(t, b); err != nil {
			t.Fatal(err)
		}
	})
}

func TestImageBatchesCancel(t *testing.T) {
	files := indexedImages(t, 40, 3, 2)
	baseline := runtime.NumGoroutine()
	t.Run("cancel the context mid-stream", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		b, err := NewImageBatches(ctx, files, nil, 2, gray32, 4)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := next(t, b); err != nil {
			t.Fatal(err)
		}
		cancel()
		_, err = next(t, b)
		checkErr(t, err, ErrIO, "stopped")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v does not wrap context.Canceled", err)
		}
		b.Close()
		b.Close() // idempotent
	})
	t.Run("close without reading", func(t *testing.T) {
		b, err := NewImageBatches(context.Background(), files, nil, 2, gray32, 4)
		if err != nil {
			t.Fatal(err)
		}
		b.Close()
		_, err = next(t, b)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Next after Close: %v, want context.Canceled", err)
		}
	})
	if !waitFor(5*time.Second, func() bool { return runtime.NumGoroutine() <= baseline }) {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
	}
}

func TestImageBatchesBadArguments(t *testing.T) {
	files := indexedImages(t, 2, 3, 2)
	tests := []struct {
		name      string
		files     LabeledFiles
		order     []int
		batchSize int
		o         ImageLoadOptions
		frags     []string
	}{
		{"batch size 0", files, nil, 0, gray32, []string{"batch_size is 0"}},
		{"order out of range", files, []int{0, 2}, 1, gray32, []string{"order[1] is 2"}},
		{"labels mismatch", LabeledFiles{Paths: files.Paths, Labels: []int{1}}, nil, 1, gray32, []string{"1 labels for 2 files"}},
		{"bad options", files, nil, 1, ImageLoadOptions{ColorMode: "hsv"}, []string{`"hsv"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewImageBatches(context.Background(), tc.files, tc.order, tc.batchSize, tc.o, 1)
			if b != nil {
				b.Close()
			}
			checkErr(t, err, ErrInvalidArgument, tc.frags...)
		})
	}
}

package datasets

import (
	"context"
	"os"
	"slices"
	"testing"
)

// ReadImages holds what StreamImages serves: the same scaled pixels and labels, image for
// image, in file order, across more than one decoding batch.
func TestReadImagesEqualsStreamImages(t *testing.T) {
	files := indexedImages(t, readImagesBatch+3, 3, 2)
	pixels, labels, shape, err := ReadImages(context.Background(), files, gray32, ScaleFloatsToTanh)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{3, 2, 1}) || len(labels) != files.Len() || len(pixels) != files.Len()*6 {
		t.Fatalf("ReadImages: shape %v, %d labels, %d pixels; want [3 2 1], %d, %d", shape, len(labels), len(pixels), files.Len(), files.Len()*6)
	}
	s, err := StreamImages(files, gray32, ScaleFloatsToTanh)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, i := range []int{0, readImagesBatch - 1, readImagesBatch, files.Len() - 1} {
		b, err := s.Batch([]int{i})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(b.Images, pixels[i*6:(i+1)*6]) || b.Labels[0] != labels[i] || int(labels[i]) != files.Labels[i] {
			t.Errorf("image %d: streamed %v label %d, read %v label %d (file's %d)", i, b.Images, b.Labels[0], pixels[i*6:(i+1)*6], labels[i], files.Labels[i])
		}
	}
}

// StreamImages refuses a file that is not an image before serving anything; ReadImages
// fails on it.
func TestReadAndStreamImagesRefuseNonImage(t *testing.T) {
	files := indexedImages(t, 4, 3, 2)
	if err := os.WriteFile(files.Paths[2], []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := StreamImages(files, gray32, ScaleFloatsToUnit)
	checkErr(t, err, ErrFormat, files.Paths[2])
	_, _, _, err = ReadImages(context.Background(), files, gray32, ScaleFloatsToUnit)
	checkErr(t, err, ErrFormat, files.Paths[2])
}

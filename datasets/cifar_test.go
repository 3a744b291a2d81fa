package datasets

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// cifarPixel is the value test records hold for image k of a batch at plane c,
// row y, column x: distinct enough that any channel or axis mix-up shows.
func cifarPixel(batch, k, c, y, x int) uint8 {
	return uint8(batch*53 + k*31 + c*97 + y*7 + x*3)
}

// cifarBatch builds n planar records of batch number batch, labels (batch+k)%10.
func cifarBatch(batch, n int) []byte {
	var b bytes.Buffer
	for k := range n {
		b.WriteByte(uint8((batch + k) % 10))
		for c := range 3 {
			for y := range 32 {
				for x := range 32 {
					b.WriteByte(cifarPixel(batch, k, c, y, x))
				}
			}
		}
	}
	return b.Bytes()
}

// cifarEntries is a tiny CIFAR-10 tree: batch i (0–4 train, 5 test) has i%2+1
// records, members in scrambled order, plus the files a real archive also holds.
func cifarEntries(prefix string) []tarEntry {
	entries := []tarEntry{
		{Name: prefix + "cifar-10-batches-bin/", Dir: true},
		{Name: prefix + "cifar-10-batches-bin/batches.meta.txt", Body: []byte("airplane\nautomobile\n")},
		{Name: prefix + "cifar-10-batches-bin/readme.html", Body: []byte("<html></html>")},
	}
	for _, i := range []int{5, 3, 0, 4, 2, 1} {
		entries = append(entries, tarEntry{Name: prefix + "cifar-10-batches-bin/" + cifarBatches[i], Body: cifarBatch(i, i%2+1)})
	}
	return entries
}

// wantCIFAR decodes the tiny tree independently, pixel by pixel.
func wantCIFAR() *ImageSet {
	set := &ImageSet{Height: 32, Width: 32, Channels: 3}
	for i := range cifarBatches {
		for k := range i%2 + 1 {
			img := make([]uint8, 32*32*3)
			for y := range 32 {
				for x := range 32 {
					for c := range 3 {
						img[(y*32+x)*3+c] = cifarPixel(i, k, c, y, x)
					}
				}
			}
			label := uint8((i + k) % 10)
			if i == 5 {
				set.TestImages = append(set.TestImages, img...)
				set.TestLabels = append(set.TestLabels, label)
				set.NumTest++
			} else {
				set.TrainImages = append(set.TrainImages, img...)
				set.TrainLabels = append(set.TrainLabels, label)
				set.NumTrain++
			}
		}
	}
	return set
}

func TestLoadCIFAR10(t *testing.T) {
	want := wantCIFAR()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
	}{
		{"tar.gz", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "cifar-10-binary.tar.gz", tarBytes(t, cifarEntries(""), true))
		}},
		{"tar.gz with ./ names", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "c.tgz", tarBytes(t, cifarEntries("./"), true))
		}},
		{"plain tar", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "c.tar", tarBytes(t, cifarEntries(""), false))
		}},
		{"directory containing cifar-10-batches-bin", func(t *testing.T, dir string) string {
			extractTar(t, dir, cifarEntries(""))
			return dir
		}},
		{"cifar-10-batches-bin itself", func(t *testing.T, dir string) string {
			extractTar(t, dir, cifarEntries(""))
			return filepath.Join(dir, "cifar-10-batches-bin")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := LoadCIFAR10(tt.setup(t, t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			if set.NumTrain != 7 || set.NumTest != 2 {
				t.Fatalf("NumTrain, NumTest = %d, %d, want 7, 2", set.NumTrain, set.NumTest)
			}
			if !bytes.Equal(set.TrainLabels, want.TrainLabels) || !bytes.Equal(set.TestLabels, want.TestLabels) {
				t.Errorf("labels %v / %v, want %v / %v (train batches in order 1..5)", set.TrainLabels, set.TestLabels, want.TrainLabels, want.TestLabels)
			}
			if !bytes.Equal(set.TrainImages, want.TrainImages) || !bytes.Equal(set.TestImages, want.TestImages) {
				t.Errorf("images differ from the NHWC decoding of the records")
			}
			if set.Height != 32 || set.Width != 32 || set.Channels != 3 || set.ImageSize() != 3072 {
				t.Errorf("shape %d×%d×%d, want 32×32×3", set.Height, set.Width, set.Channels)
			}
		})
	}
}

func TestLoadCIFAR10Errors(t *testing.T) {
	replace := func(member string, body []byte) []tarEntry {
		var out []tarEntry
		for _, e := range cifarEntries("") {
			if e.Name == "cifar-10-batches-bin/"+member {
				if body == nil {
					continue
				}
				e.Body = body
			}
			out = append(out, e)
		}
		return out
	}
	full := tarBytes(t, cifarEntries(""), true)
	tests := []struct {
		name      string
		archive   []byte
		want      error
		fragments []string
	}{
		{"truncated archive", full[:len(full)/2], ErrFormat, []string{"unexpected EOF"}},
		{"missing batch", tarBytes(t, replace("data_batch_3.bin", nil), true), ErrNotFound,
			[]string{"missing cifar-10-batches-bin/{data_batch_3.bin}"}},
		{"missing test batch", tarBytes(t, replace("test_batch.bin", nil), true), ErrNotFound,
			[]string{"missing cifar-10-batches-bin/{test_batch.bin}"}},
		{"partial record", tarBytes(t, replace("data_batch_2.bin", cifarBatch(1, 2)[:3073+100]), true), ErrFormat,
			[]string{"data_batch_2.bin is 3173 bytes, want a multiple of 3073", "100 bytes left over"}},
		{"label out of range", tarBytes(t, replace("test_batch.bin", append([]byte{10}, make([]byte, 3072)...)), true), ErrFormat,
			[]string{"test_batch.bin: record 0 has label 10, want a class 0–9"}},
		{"not an archive", []byte("this is not a tarball, just some text that is long enough to be a header maybe"), ErrFormat, nil},
		{"empty archive", tarBytes(t, nil, true), ErrNotFound, []string{"missing", "data_batch_1.bin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "cifar-10-binary.tar.gz", tt.archive)
			_, err := LoadCIFAR10(path)
			checkErr(t, err, tt.want, append([]string{"load CIFAR-10", path}, tt.fragments...)...)
		})
	}
	t.Run("directory with a short file", func(t *testing.T) {
		dir := t.TempDir()
		extractTar(t, dir, cifarEntries(""))
		p := filepath.Join(dir, "cifar-10-batches-bin", "data_batch_5.bin")
		if err := os.Truncate(p, 3073*2-1); err != nil {
			t.Fatal(err)
		}
		_, err := LoadCIFAR10(dir)
		checkErr(t, err, ErrFormat, p, fmt.Sprintf("is %d bytes, want a multiple of 3073", 3073*2-1))
	})
	t.Run("missing path", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "none.tar.gz")
		_, err := LoadCIFAR10(p)
		checkErr(t, err, ErrNotFound, p)
	})
	t.Run("empty directory", func(t *testing.T) {
		dir := t.TempDir()
		_, err := LoadCIFAR10(dir)
		checkErr(t, err, ErrNotFound, dir, "missing cifar-10-batches-bin/{data_batch_1.bin,data_batch_2.bin,data_batch_3.bin,data_batch_4.bin,data_batch_5.bin,test_batch.bin}")
	})
}

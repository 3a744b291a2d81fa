package datasets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
)

// idxBytes builds an IDX file: magic, big-endian int32 dims, then payload.
func idxBytes(magic uint32, dims []int32, payload []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(payload)
	return b.Bytes()
}

// ramp returns n bytes 0, 1, 2, … (mod 256) starting at start.
func ramp(n, start int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(start + i)
	}
	return b
}

func TestReadIDXImages(t *testing.T) {
	good := idxBytes(2051, []int32{3, 2, 4}, ramp(24, 0))
	tests := []struct {
		name      string
		file      string
		data      []byte
		want      error
		fragments []string
	}{
		{"raw", "images-idx3-ubyte", good, nil, nil},
		{"gzip", "images-idx3-ubyte.gz", gzipBytes(t, good), nil, nil},
		{"gzip without .gz name", "images-idx3-ubyte", gzipBytes(t, good), nil, nil},
		{"raw with .gz name", "images-idx3-ubyte.gz", good, nil, nil},
		{"truncated", "t", idxBytes(2051, []int32{3, 2, 4}, ramp(20, 0)), ErrFormat,
			[]string{"truncated", "payload is 20 bytes, want exactly 24"}},
		{"truncated gzip payload", "t.gz", gzipBytes(t, idxBytes(2051, []int32{3, 2, 4}, ramp(23, 0))), ErrFormat,
			[]string{"payload is 23 bytes, want exactly 24"}},
		{"trailing data", "t", append(append([]byte{}, good...), 9, 9, 9), ErrFormat,
			[]string{"trailing data", "payload is 27 bytes, want exactly 24"}},
		{"labels magic", "t", idxBytes(2049, []int32{3}, ramp(3, 0)), ErrFormat,
			[]string{"magic number 2049", "want 2051", "this is a labels file"}},
		{"other magic", "t", idxBytes(0x0d03, []int32{3, 2, 4}, ramp(24, 0)), ErrFormat,
			[]string{"magic number 3331", "want 2051"}},
		{"short header", "t", []byte{0, 0, 8, 3, 0, 0}, ErrFormat, []string{"file has 6 bytes", "16-byte IDX header"}},
		{"empty file", "t", nil, ErrFormat, []string{"file has 0 bytes"}},
		{"zero rows", "t", idxBytes(2051, []int32{3, 0, 4}, nil), ErrFormat, []string{"dimension 1 is 0"}},
		{"negative count", "t", idxBytes(2051, []int32{-1, 2, 4}, nil), ErrFormat, []string{"dimension 0 is -1"}},
		{"huge dimensions", "t", idxBytes(2051, []int32{1 << 30, 1 << 30, 1 << 30}, nil), ErrFormat, []string{"announces more than"}},
		{"corrupt gzip", "t.gz", append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}, ramp(40, 7)...), ErrFormat, nil},
		{"bad gzip checksum", "t.gz", corruptGzipTrailer(gzipBytes(t, good)), ErrFormat, []string{"checksum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), tt.file, tt.data)
			data, n, rows, cols, err := ReadIDXImages(path)
			checkErr(t, err, tt.want, append([]string{path, "read IDX images"}, tt.fragments...)...)
			if tt.want != nil {
				return
			}
			if n != 3 || rows != 2 || cols != 4 || !bytes.Equal(data, ramp(24, 0)) {
				t.Errorf("got n=%d rows=%d cols=%d data=%v, want 3 2 4 %v", n, rows, cols, data, ramp(24, 0))
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "none")
		_, _, _, _, err := ReadIDXImages(path)
		checkErr(t, err, ErrNotFound, path)
	})
	t.Run("zero images", func(t *testing.T) {
		path := writeFile(t, t.TempDir(), "empty", idxBytes(2051, []int32{0, 28, 28}, nil))
		data, n, rows, cols, err := ReadIDXImages(path)
		if err != nil || n != 0 || rows != 28 || cols != 28 || len(data) != 0 {
			t.Errorf("got %d bytes n=%d %d×%d err=%v, want an empty 28×28 set", len(data), n, rows, cols, err)
		}
	})
}

// corruptGzipTrailer flips a bit of the CRC-32 in a gzip stream's trailer.
func corruptGzipTrailer(gz []byte) []byte {
	out := append([]byte{}, gz...)
	out[len(out)-8] ^= 1
	return out
}

func TestReadIDXLabels(t *testing.T) {
	good := idxBytes(2049, []int32{5}, []byte{0, 1, 2, 9, 3})
	tests := []struct {
		name      string
		data      []byte
		want      error
		fragments []string
	}{
		{"raw", good, nil, nil},
		{"gzip", gzipBytes(t, good), nil, nil},
		{"images magic", idxBytes(2051, []int32{5, 1, 1}, ramp(5, 0)), ErrFormat, []string{"magic number 2051", "want 2049", "this is an images file"}},
		{"truncated", idxBytes(2049, []int32{5}, []byte{1, 2}), ErrFormat, []string{"payload is 2 bytes, want exactly 5"}},
		{"trailing data", append(append([]byte{}, good...), 1), ErrFormat, []string{"payload is 6 bytes, want exactly 5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "labels", tt.data)
			got, err := ReadIDXLabels(path)
			checkErr(t, err, tt.want, append([]string{path, "read IDX labels"}, tt.fragments...)...)
			if tt.want == nil && !bytes.Equal(got, []byte{0, 1, 2, 9, 3}) {
				t.Errorf("got %v, want [0 1 2 9 3]", got)
			}
		})
	}
}

// mnistFiles writes a tiny MNIST-layout data set (3 train, 2 test images of 2×3)
// into dir; gz selects which of the four files are gzipped; edit may change the
// bytes of a file before it is written.
func mnistFiles(t *testing.T, dir string, gz [4]bool, edit func(name string, b []byte) []byte) {
	t.Helper()
	files := []struct {
		name string
		data []byte
	}{
		{MNISTTrainImages, idxBytes(2051, []int32{3, 2, 3}, ramp(18, 0))},
		{MNISTTrainLabels, idxBytes(2049, []int32{3}, []byte{5, 0, 9})},
		{MNISTTestImages, idxBytes(2051, []int32{2, 2, 3}, ramp(12, 100))},
		{MNISTTestLabels, idxBytes(2049, []int32{2}, []byte{7, 2})},
	}
	for i, f := range files {
		data := f.data
		if edit != nil {
			data = edit(f.name, data)
		}
		if data == nil {
			continue
		}
		name := f.name
		if gz[i] {
			name, data = name+".gz", gzipBytes(t, data)
		}
		writeFile(t, dir, name, data)
	}
}

func TestLoadMNIST(t *testing.T) {
	for _, gz := range [][4]bool{{true, true, true, true}, {false, false, false, false}, {true, false, false, true}} {
		t.Run(fmt.Sprintf("gzipped %v", gz), func(t *testing.T) {
			dir := t.TempDir()
			mnistFiles(t, dir, gz, nil)
			set, err := LoadMNIST(dir)
			if err != nil {
				t.Fatal(err)
			}
			want := &ImageSet{
				TrainImages: ramp(18, 0), TestImages: ramp(12, 100),
				TrainLabels: []uint8{5, 0, 9}, TestLabels: []uint8{7, 2},
				Height: 2, Width: 3, Channels: 1, NumTrain: 3, NumTest: 2,
			}
			if fmt.Sprint(set) != fmt.Sprint(want) {
				t.Errorf("got %+v, want %+v", set, want)
			}
		})
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(name string, b []byte) []byte
		want      error
		fragments []string
	}{
		{"missing labels file", func(name string, b []byte) []byte {
			if name == MNISTTestLabels {
				return nil
			}
			return b
		}, ErrNotFound, []string{"neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz"}},
		{"label count mismatch", func(name string, b []byte) []byte {
			if name == MNISTTrainLabels {
				return idxBytes(2049, []int32{2}, []byte{1, 2})
			}
			return b
		}, ErrFormat, []string{MNISTTrainLabels, "2 labels but the matching images file has 3 images"}},
		{"label out of range", func(name string, b []byte) []byte {
			if name == MNISTTestLabels {
				return idxBytes(2049, []int32{2}, []byte{1, 10})
			}
			return b
		}, ErrFormat, []string{MNISTTestLabels, "label 1 is 10, want a class 0–9"}},
		{"test image size differs", func(name string, b []byte) []byte {
			if name == MNISTTestImages {
				return idxBytes(2051, []int32{2, 3, 2}, ramp(12, 0))
			}
			return b
		}, ErrFormat, []string{"test images are 3×2 but train images 2×3"}},
		{"truncated images", func(name string, b []byte) []byte {
			if name == MNISTTrainImages {
				return b[:len(b)-1]
			}
			return b
		}, ErrFormat, []string{MNISTTrainImages, "payload is 17 bytes, want exactly 18"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mnistFiles(t, dir, [4]bool{true, true, true, true}, tt.edit)
			_, err := LoadMNIST(dir)
			checkErr(t, err, tt.want, tt.fragments...)
		})
	}
}

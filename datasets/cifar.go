package datasets

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// CIFAR-10 binary version (https://www.cs.toronto.edu/~kriz/cifar.html): each
// record is one label byte then a 32×32 image as 1024 red, 1024 green and 1024
// blue bytes, each plane row-major with the top row first.
const (
	cifarSide        = 32
	cifarChannels    = 3
	cifarPlane       = cifarSide * cifarSide
	cifarImageBytes  = cifarPlane * cifarChannels
	cifarRecordBytes = 1 + cifarImageBytes // 3073
	cifarClasses     = 10
	cifarDir         = "cifar-10-batches-bin"
)

// cifarBatches are the batch files in load order: the five training batches, then
// the test batch (last index).
var cifarBatches = [...]string{
	"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
	"data_batch_4.bin", "data_batch_5.bin", "test_batch.bin",
}

// cifarMaxBatchBytes bounds one batch file (the real ones are 30,730,000 bytes).
const cifarMaxBatchBytes = 1 << 30

// LoadCIFAR10 reads the binary version of CIFAR-10.
//
// path is either the archive cifar-10-binary.tar.gz (read as a stream, never
// extracted; a plain .tar works too), a directory containing cifar-10-batches-bin/,
// or that directory itself. data_batch_1.bin … data_batch_5.bin, in that order,
// form the training set and test_batch.bin the test set; other members
// (batches.meta.txt, readme.html) are ignored.
//
// Images are converted from the planar records to NHWC [N, 32, 32, 3]. A missing
// batch, a batch whose size is not a multiple of 3,073 bytes, or a label above 9
// is an error.
func LoadCIFAR10(path string) (*ImageSet, error) {
	const op = "load CIFAR-10"
	fi, err := os.Stat(path)
	if err != nil {
		return nil, wrapIOError(op, path, err)
	}
	var b cifarBatchSet
	if fi.IsDir() {
		err = b.readDir(path)
	} else {
		err = b.readArchive(path)
	}
	if err != nil {
		return nil, wrapIOError(op, path, err)
	}
	var missing []string
	for i, name := range cifarBatches {
		if !b.found[i] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, newError(op, path, ErrNotFound,
			"missing %s/{%s} (the binary version, cifar-10-binary.tar.gz, holds data_batch_1.bin … data_batch_5.bin and test_batch.bin; the Python version cifar-10-batches-py/ is not read)",
			cifarDir, strings.Join(missing, ","))
	}
	last := len(cifarBatches) - 1
	set := &ImageSet{
		TrainImages: slices.Concat(b.images[:last]...),
		TrainLabels: slices.Concat(b.labels[:last]...),
		TestImages:  b.images[last],
		TestLabels:  b.labels[last],
		Height:      cifarSide, Width: cifarSide, Channels: cifarChannels,
	}
	set.NumTrain, set.NumTest = len(set.TrainLabels), len(set.TestLabels)
	return set, nil
}

// cifarBatchSet holds the decoded batches, indexed like cifarBatches.
type cifarBatchSet struct {
	images [len(cifarBatches)][]uint8
	labels [len(cifarBatches)][]uint8
	found  [len(cifarBatches)]bool
}

// add decodes one batch file of the given size read from r.
func (b *cifarBatchSet) add(i int, member string, size int64, r io.Reader) error {
	if b.found[i] {
		return fmt.Errorf("%w: %s appears twice", ErrFormat, member)
	}
	if size > cifarMaxBatchBytes {
		return fmt.Errorf("%w: %s is %d bytes, more than the %d a batch may have", ErrFormat, member, size, cifarMaxBatchBytes)
	}
	if size%cifarRecordBytes != 0 {
		return fmt.Errorf("%w: %s is %d bytes, want a multiple of %d (1 label + 32×32×3 pixel bytes per record; %d bytes left over)",
			ErrFormat, member, size, cifarRecordBytes, size%cifarRecordBytes)
	}
	raw := make([]byte, size)
	if n, err := io.ReadFull(r, raw); err != nil {
		return fmt.Errorf("%w: %s: read %d of %d bytes: %w", ErrFormat, member, n, size, err)
	}
	images, labels, err := decodeCIFARRecords(raw, member)
	if err != nil {
		return err
	}
	b.images[i], b.labels[i], b.found[i] = images, labels, true
	return nil
}

// readArchive streams a (gzipped) tar archive holding cifar-10-batches-bin/.
func (b *cifarBatchSet) readArchive(path string) error {
	return walkTar(path, func(name string, size int64, r io.Reader) error {
		dir, base, ok := strings.Cut(name, "/")
		if !ok || dir != cifarDir {
			return nil
		}
		if i := slices.Index(cifarBatches[:], base); i >= 0 {
			return b.add(i, name, size, r)
		}
		return nil
	})
}

// readDir reads the batch files of an extracted tree: dir is
// cifar-10-batches-bin/ itself or contains it.
func (b *cifarBatchSet) readDir(dir string) error {
	root := dir
	if isDir(filepath.Join(dir, cifarDir)) {
		root = filepath.Join(dir, cifarDir)
	}
	for i, name := range cifarBatches {
		p := filepath.Join(root, name)
		if !isFile(p) {
			continue // reported with the other missing batches
		}
		if err := b.addFile(i, p); err != nil {
			return err
		}
	}
	return nil
}

// addFile decodes one batch file of an extracted tree.
func (b *cifarBatchSet) addFile(i int, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return b.add(i, path, fi.Size(), f)
}

// decodeCIFARRecords converts whole records from planar (label, R plane, G plane,
// B plane) to NHWC images and a label slice.
func decodeCIFARRecords(raw []byte, member string) (images, labels []uint8, err error) {
	n := len(raw) / cifarRecordBytes
	images = make([]uint8, n*cifarImageBytes)
	labels = make([]uint8, n)
	for k := range n {
		rec := raw[k*cifarRecordBytes : (k+1)*cifarRecordBytes]
		if rec[0] >= cifarClasses {
			return nil, nil, fmt.Errorf("%w: %s: record %d has label %d, want a class 0–%d", ErrFormat, member, k, rec[0], cifarClasses-1)
		}
		labels[k] = rec[0]
		red, green, blue := rec[1:1+cifarPlane], rec[1+cifarPlane:1+2*cifarPlane], rec[1+2*cifarPlane:]
		img := images[k*cifarImageBytes : (k+1)*cifarImageBytes]
		for p := range cifarPlane {
			px := img[p*cifarChannels : p*cifarChannels+cifarChannels : p*cifarChannels+cifarChannels]
			px[0], px[1], px[2] = red[p], green[p], blue[p]
		}
	}
	return images, labels, nil
}

package datasets

import (
	"fmt"
	"path/filepath"
)

// The file names of the MNIST distribution, shared by Fashion-MNIST. Each may be
// gzipped (name + ".gz") or raw.
const (
	MNISTTrainImages = "train-images-idx3-ubyte"
	MNISTTrainLabels = "train-labels-idx1-ubyte"
	MNISTTestImages  = "t10k-images-idx3-ubyte"
	MNISTTestLabels  = "t10k-labels-idx1-ubyte"
)

// mnistClasses is the number of classes of MNIST and of Fashion-MNIST.
const mnistClasses = 10

// LoadMNIST reads MNIST, or Fashion-MNIST (same layout and names), from the four
// IDX files in dir: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each gzipped (".gz", as
// distributed) or raw; the raw file is used when both exist.
//
// The result has Channels 1 and the images' rows and cols as Height and Width.
// The image and label counts must agree, train and test images must have the
// same size, and every label must be a class 0–9.
func LoadMNIST(dir string) (*ImageSet, error) {
	const op = "load MNIST"
	paths := make(map[string]string, 4)
	for _, name := range [...]string{MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels} {
		p, err := findMNISTFile(dir, name)
		if err != nil {
			return nil, &Error{Op: op, Path: dir, Err: err}
		}
		paths[name] = p
	}
	trainImages, nTrain, rows, cols, err := ReadIDXImages(paths[MNISTTrainImages])
	if err != nil {
		return nil, err
	}
	testImages, nTest, testRows, testCols, err := ReadIDXImages(paths[MNISTTestImages])
	if err != nil {
		return nil, err
	}
	if testRows != rows || testCols != cols {
		return nil, newError(op, dir, ErrFormat, "test images are %d×%d but train images %d×%d", testRows, testCols, rows, cols)
	}
	trainLabels, err := readMNISTLabels(paths[MNISTTrainLabels], nTrain)
	if err != nil {
		return nil, err
	}
	testLabels, err := readMNISTLabels(paths[MNISTTestLabels], nTest)
	if err != nil {
		return nil, err
	}
	return &ImageSet{
		TrainImages: trainImages, TestImages: testImages,
		TrainLabels: trainLabels, TestLabels: testLabels,
		Height: rows, Width: cols, Channels: 1,
		NumTrain: nTrain, NumTest: nTest,
	}, nil
}

// findMNISTFile returns dir/name if it is a file, else dir/name.gz.
func findMNISTFile(dir, name string) (string, error) {
	for _, p := range [...]string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		if isFile(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: neither %s nor %s.gz (want the four MNIST IDX files %s, %s, %s, %s)",
		ErrNotFound, name, name, MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels)
}

// readMNISTLabels reads a labels file that must hold n labels, each below 10.
func readMNISTLabels(path string, n int) ([]uint8, error) {
	const op = "read IDX labels"
	labels, err := ReadIDXLabels(path)
	if err != nil {
		return nil, err
	}
	if len(labels) != n {
		return nil, newError(op, path, ErrFormat, "%d labels but the matching images file has %d images", len(labels), n)
	}
	for i, l := range labels {
		if l >= mnistClasses {
			return nil, newError(op, path, ErrFormat, "label %d is %d, want a class 0–%d", i, l, mnistClasses-1)
		}
	}
	return labels, nil
}

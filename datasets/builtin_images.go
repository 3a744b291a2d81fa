package datasets

// ScaledImages are one split of a built-in image data set with its pixels scaled to
// [-1, 1] ((x − 127.5)/127.5, as the assignment's GANs scale them), NHWC, and its labels.
type ScaledImages struct {
	Pixels                  []float32
	Labels                  []int32
	Height, Width, Channels int
	// Source is the file or folder the images were read from, as Locate found it.
	Source string
}

// Len is the number of images.
func (s *ScaledImages) Len() int { return len(s.Labels) }

// LoadScaledImages locates (see Locate) and loads the training or test split of a built-in
// image data set (mnist, fashion_mnist, cifar10), scaled to [-1, 1]; limit > 0 keeps the
// first limit images.
func LoadScaledImages(name, dataDir string, test bool, limit int) (*ScaledImages, error) {
	path, err := Locate(name, dataDir)
	if err != nil {
		return nil, err
	}
	var set *ImageSet
	switch name {
	case "mnist", "fashion_mnist":
		set, err = LoadMNIST(path)
	case "cifar10":
		set, err = LoadCIFAR10(path)
	default:
		return nil, newError("load images", "", ErrInvalidArgument, "data set %q has no images", name)
	}
	if err != nil {
		return nil, err
	}
	raw, labels, n := set.TrainImages, set.TrainLabels, set.NumTrain
	if test {
		raw, labels, n = set.TestImages, set.TestLabels, set.NumTest
	}
	if limit > 0 && limit < n {
		n = limit
	}
	s := &ScaledImages{Pixels: ScaleToTanh(raw[:n*set.ImageSize()]), Labels: make([]int32, n),
		Height: set.Height, Width: set.Width, Channels: set.Channels, Source: path}
	for i := range s.Labels {
		s.Labels[i] = int32(labels[i])
	}
	return s, nil
}

package datasets

// ImageSet is an image classification data set held as bytes, ready to be scaled
// (ScaleToUnit, ScaleToTanh) and fed to a model.
//
// Images are NHWC, row-major: TrainImages has NumTrain*Height*Width*Channels
// bytes, image i starting at i*Height*Width*Channels, pixel (y, x) channel c of it
// at ((y*Width)+x)*Channels+c. Labels are class numbers, one byte per image.
type ImageSet struct {
	TrainImages, TestImages []uint8
	TrainLabels, TestLabels []uint8
	Height, Width, Channels int
	NumTrain, NumTest       int
}

// ImageSize returns the number of bytes of one image, Height*Width*Channels.
func (s *ImageSet) ImageSize() int { return s.Height * s.Width * s.Channels }

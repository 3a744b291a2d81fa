package datasets

import (
	"context"
	"errors"
	"io"
)

// readImagesBatch is how many images a decoding batch of ReadImages holds.
const readImagesBatch = 256

// ReadImages decodes files in order with NewImageBatches (on GOMAXPROCS goroutines) into
// one array of NHWC pixels, each batch scaled in place by scale (ScaleFloatsToUnit,
// ScaleFloatsToTanh), with their labels and the images' [height, width, channels]: an
// image folder held in memory, Keras's image_dataset_from_directory(...).cache(). The
// classifier's and the GAN's image_directory both load with it (or StreamImages).
func ReadImages(ctx context.Context, files LabeledFiles, o ImageLoadOptions, scale func([]float32)) (pixels []float32, labels []int32, shape []int, err error) {
	b, err := NewImageBatches(ctx, files, nil, readImagesBatch, o, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	defer b.Close()
	for {
		batch, err := b.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if pixels == nil {
			shape = []int{batch.Height, batch.Width, batch.Channels}
			pixels = make([]float32, 0, files.Len()*batch.Height*batch.Width*batch.Channels)
		}
		scale(batch.Images)
		pixels = append(pixels, batch.Images...)
		labels = append(labels, batch.Labels...)
	}
	return pixels, labels, shape, nil
}

// StreamImages serves image files read from disk batch by batch (an ImageStream), decoded
// as o says and scaled by scale: the batches ReadImages would hold, without holding the
// images. Every file's header is checked first (CheckImageHeaders), so an unreadable,
// oversized or foreign file is refused before training; pixel data that turns out
// truncated fails the batch that needs it.
func StreamImages(files LabeledFiles, o ImageLoadOptions, scale func([]float32)) (*ImageStream, error) {
	if err := CheckImageHeaders(files.Paths, 0); err != nil {
		return nil, err
	}
	return NewImageStream(files, o, scale, 0)
}

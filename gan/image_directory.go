package gan

import (
	"context"
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// loadData loads a GAN config's training images: a built-in data set (loadImages), or an
// image_directory (loadImageDirectory).
func loadData(ctx context.Context, cfg *configs.Config, dataDir string, limit int, seed int64) (*ImageData, error) {
	if cfg.Data.Format == configs.FormatImageDirectory {
		return loadImageDirectory(ctx, cfg, limit, seed)
	}
	return loadImages(cfg.Data.Dataset, dataDir, limit)
}

// loadImageDirectory reads the images of an image_directory config, as Keras's
// image_dataset_from_directory lists them (one subfolder per class; shuffled with
// data.seed, default the run's seed), decoded, converted to data.color_mode and resized to
// data.image_size on datasets.NewImageBatches' goroutines, scaled as data.scale says
// (default [-1, 1], a tanh generator's range). They are decoded once into memory when
// data.cache says so (default: when they fit in datasets.DefaultImageCacheBytes), else
// streamed from disk batch by batch every epoch, decoded ahead of the training step
// (PlanEpoch). A conditional GAN is conditioned on the folder labels: gan.num_classes
// must be the number of classes. limit > 0 keeps the first limit images.
func loadImageDirectory(ctx context.Context, cfg *configs.Config, limit int, seed int64) (*ImageData, error) {
	d := cfg.Data
	files, err := datasets.ImageDirectory(d.Path, datasets.ImageDirectoryOptions{DirectoryOptions: datasets.DirectoryOptions{
		ClassNames: d.ClassNames, Seed: d.SeedOr(seed), NoShuffle: !d.ShuffleOrDefault()}})
	if err != nil {
		return nil, err
	}
	if k := len(files.ClassNames); cfg.GAN().Conditional() && cfg.GAN().NumClasses != k {
		return nil, assemble.ModelErrorf("%s: gan.num_classes: %d, but %s has %d classes (%v); a conditional GAN is conditioned on the folder labels",
			cfg.File, cfg.GAN().NumClasses, d.Path, k, files.ClassNames)
	}
	f := files.LabeledFiles
	if limit > 0 && limit < f.Len() {
		f = datasets.LabeledFiles{Paths: f.Paths[:limit], Labels: f.Labels[:limit]}
	}
	o := datasets.ImageLoadOptions{ImageSize: d.ImageSizeOrDefault(), ColorMode: datasets.ColorMode(d.ColorModeOrDefault()),
		CropToAspectRatio: d.CropToAspectRatio}
	scale := datasets.ScaleFloatsToUnit
	if d.ScaleFor(cfg.Task) == configs.ScaleTanh {
		scale = datasets.ScaleFloatsToTanh
	}
	size := d.ImageSizeOrDefault()
	if !datasets.CacheImages(d.Cache, f.Len(), size[0], size[1], d.Channels()) {
		s, err := datasets.StreamImages(f, o, scale)
		if err != nil {
			return nil, err
		}
		labels := make([]int32, f.Len())
		for i, l := range f.Labels {
			labels[i] = int32(l)
		}
		return &ImageData{Labels: labels, Shape: builders.Shape{size[0], size[1], d.Channels()}, stream: s}, nil
	}
	pixels, labels, shape, err := datasets.ReadImages(ctx, f, o, scale)
	if err != nil {
		return nil, err
	}
	data := &ImageData{Images: pixels, Labels: labels, Shape: shape}
	if data.Len() == 0 {
		return nil, fmt.Errorf("%s: no images", d.Path) // unreachable: ImageDirectory refuses an empty folder
	}
	return data, nil
}

// Streamed reports whether the images are read from disk batch by batch.
func (d *ImageData) Streamed() bool { return d.stream != nil }

// StreamStats says how streamed images were read (zero for images in memory).
func (d *ImageData) StreamStats() datasets.StreamStats {
	if d.stream == nil {
		return datasets.StreamStats{}
	}
	return d.stream.Stats()
}

// Close stops the reading ahead of streamed images (nothing for images in memory).
func (d *ImageData) Close() error {
	if d.stream == nil {
		return nil
	}
	return d.stream.Close()
}

// streamBatch is Batch of streamed images: the tensors Batch makes of the same images
// in memory.
func (d *ImageData) streamBatch(idx []int) (images, labels *tf.Tensor, err error) {
	b, err := d.stream.Batch(idx)
	if err != nil {
		return nil, nil, err
	}
	ls := make([]int32, len(idx))
	for k, i := range idx {
		ls[k] = d.Labels[i]
	}
	it, err := graphs.NewTensor(b.Images, int64(len(idx)), int64(d.Shape[0]), int64(d.Shape[1]), int64(d.Shape[2]))
	if err != nil {
		return nil, nil, err
	}
	lt, err := graphs.NewTensor(ls, int64(len(idx)), 1)
	return it, lt, err
}

// PlanEpoch tells streamed images the epoch's order, so they are decoded ahead of the
// steps (runner.EpochPlanner).
func (t *training) PlanEpoch(order []int, batchSize int) error {
	if t.data.stream == nil {
		return nil
	}
	return t.data.stream.Plan(order, batchSize)
}

package gan

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
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
// (default [-1, 1], a tanh generator's range). A conditional GAN is conditioned on the
// folder labels: gan.num_classes must be the number of classes. limit > 0 keeps the first
// limit images.
func loadImageDirectory(ctx context.Context, cfg *configs.Config, limit int, seed int64) (*ImageData, error) {
	d := cfg.Data
	files, err := datasets.ImageDirectory(d.Path, datasets.ImageDirectoryOptions{DirectoryOptions: datasets.DirectoryOptions{
		ClassNames: d.ClassNames, Seed: d.SeedOr(seed), NoShuffle: !d.ShuffleOrDefault()}})
	if err != nil {
		return nil, err
	}
	if k := len(files.ClassNames); cfg.GAN.Conditional() && cfg.GAN.NumClasses != k {
		return nil, assemble.ModelErrorf("%s: gan.num_classes: %d, but %s has %d classes (%v); a conditional GAN is conditioned on the folder labels",
			cfg.File, cfg.GAN.NumClasses, d.Path, k, files.ClassNames)
	}
	f := files.LabeledFiles
	if limit > 0 && limit < f.Len() {
		f = datasets.LabeledFiles{Paths: f.Paths[:limit], Labels: f.Labels[:limit]}
	}
	o := datasets.ImageLoadOptions{ImageSize: d.ImageSizeOrDefault(), ColorMode: datasets.ColorMode(d.ColorModeOrDefault()),
		CropToAspectRatio: d.CropToAspectRatio}
	b, err := datasets.NewImageBatches(ctx, f, nil, 256, o, 0)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	data := &ImageData{}
	tanh := d.ScaleFor(cfg.Task) == configs.ScaleTanh
	for {
		batch, err := b.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if data.Images == nil {
			data.Shape = builders.Shape{batch.Height, batch.Width, batch.Channels}
			data.Images = make([]float32, 0, f.Len()*batch.Height*batch.Width*batch.Channels)
		}
		for _, v := range batch.Images {
			if tanh {
				data.Images = append(data.Images, (v-127.5)/127.5)
			} else {
				data.Images = append(data.Images, v/255)
			}
		}
		data.Labels = append(data.Labels, batch.Labels...)
	}
	if data.Len() == 0 {
		return nil, fmt.Errorf("%s: no images", d.Path) // unreachable: ImageDirectory refuses an empty folder
	}
	return data, nil
}

package classifier

import (
	"fmt"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
)

// LoadData loads the training and test data of a classifier config: IMDB as token ids
// (the vocabulary saved in outDir), an image data set as pixels scaled to [-1, 1] (as the
// GANs' images, so a classifier's features of real and generated images compare) with
// class labels. limit > 0 keeps the first limit examples of each split.
func LoadData(cfg *configs.Config, dataDir, outDir string, limit int) (train, test *Dataset, err error) {
	if cfg.Data.Dataset == configs.DatasetIMDB {
		return loadIMDB(dataDir, outDir, cfg.Data.NumWords, cfg.Data.Maxlen, limit)
	}
	return LoadImages(cfg.Data.Dataset, dataDir, limit)
}

// LoadImages loads an image data set's training and test splits as classifier data sets.
func LoadImages(dataset, dataDir string, limit int) (train, test *Dataset, err error) {
	conv := func(s *datasets.ScaledImages) *Dataset {
		labels := make([]float32, s.Len())
		for i, l := range s.Labels {
			labels[i] = float32(l)
		}
		return &Dataset{Floats: s.Pixels, Shape: builders.Shape{s.Height, s.Width, s.Channels}, Labels: labels, Source: s.Source}
	}
	tr, err := datasets.LoadScaledImages(dataset, dataDir, false, limit)
	if err != nil {
		return nil, nil, err
	}
	te, err := datasets.LoadScaledImages(dataset, dataDir, true, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("%s test split: %w", dataset, err)
	}
	return conv(tr), conv(te), nil
}

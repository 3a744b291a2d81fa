package classifier

import (
	"fmt"
	"io"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
)

// streamImages makes a Dataset of image files read from disk batch by batch
// (datasets.StreamImages), decoded as o says into images of shape and scaled as scale says:
// the batches of a Dataset read into memory by readImages, without holding the images.
// Pixel data that turns out truncated fails the step that needs it (a checkpoint of the
// epochs before it stays the latest).
func streamImages(files datasets.LabeledFiles, o datasets.ImageLoadOptions, scale string, shape builders.Shape) (*Dataset, error) {
	s, err := datasets.StreamImages(files, o, ScalePixels(scale))
	if err != nil {
		return nil, err
	}
	return &Dataset{Shape: shape, Labels: floatLabels(files.Labels), stream: s}, nil
}

// PlanEpoch tells a streamed training set the epoch's order, so its images are decoded
// ahead of the steps (runner.EpochPlanner). A replica's steps take slices of the global
// batches, which this plan does not describe: they are decoded on demand.
func (t *training) PlanEpoch(order []int, batchSize int) error {
	if t.rep != nil {
		return nil
	}
	return t.train.plan(order, batchSize)
}

// Close stops the reading ahead of the splits' streamed data sets.
func (s *Splits) Close() error {
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		d.Close()
	}
	return nil
}

// reportStreams prints how the streamed data sets were read: whether the training step
// waited for the decoding.
func reportStreams(w io.Writer, sets map[string]*Dataset) {
	for _, name := range []string{"train", "validation", "test"} {
		if d := sets[name]; d != nil && d.stream != nil {
			fmt.Fprintf(w, "Streamed %s images from disk: %s\n", name, d.stream.Stats())
		}
	}
}

// cacheNote says, for a run's log, how an image folder is read.
func cacheNote(d configs.Data, streamed bool) string {
	budget := datasets.DefaultImageCacheBytes >> 20
	switch {
	case d.Cache != nil && streamed:
		return "streamed from disk every epoch, decoded ahead of the training step (data.cache: false)"
	case d.Cache != nil:
		return "decoded into memory once (data.cache: true)"
	case streamed:
		return fmt.Sprintf("streamed from disk every epoch, decoded ahead of the training step (decoded, they would take more than %d MiB; data.cache: true keeps them in memory)", budget)
	}
	return fmt.Sprintf("decoded into memory once (they fit in %d MiB; data.cache: false streams them from disk)", budget)
}

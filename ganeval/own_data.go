package ganeval

import (
	"context"
	"fmt"

	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/gan"
)

// sameData checks that the scoring classifier learned the GAN's kind of images: the same
// built-in data set, or, for a GAN trained on an image_directory, a classifier trained on
// an image_directory too (its images are the real ones compared; they should be the GAN's
// folder or images like them).
func sameData(g, clf *configs.Config) error {
	switch {
	case g.Data.Own() && clf.Data.Format != configs.FormatImageDirectory:
		return fmt.Errorf("the GAN %s trains on %s; the scoring classifier %s must train on an image_directory too (it trains on %s): its images are the real ones the generated images are compared with",
			g.File, g.Data.Name(), clf.File, clf.Data.Name())
	case !g.Data.Own() && clf.Data.Dataset != g.Data.Dataset:
		return fmt.Errorf("the classifier %s is trained on %s, the GAN on %s", clf.File, clf.Data.Name(), g.Data.Name())
	}
	return nil
}

// realImages loads the real images the generated ones are compared with, as classifier
// data sets, and the conversion of generated images (in the GAN's data.scale) to the
// classifier's input scale. For a built-in data set: its training and test splits, both
// in [-1, 1] as the GAN's images. For an image_directory: the scoring classifier's own
// data as its run read it (classifier.LoadSplits with its config and seed: the training
// split, and data.test_path, else the validation subset, else the training data), in its
// data.scale; generated images are mapped from the GAN's data.scale to it.
func realImages(cfg *configs.Config, o Options, g *gan.GAN) (train, test *classifier.Dataset, toClassifier func([]float32), err error) {
	same := func([]float32) {}
	if !cfg.Data.Own() {
		train, test, err = classifier.LoadImages(cfg.Data.Dataset, o.DataDir, 0)
		return train, test, same, err
	}
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	clf := o.Classifier
	s, err := classifier.LoadSplits(ctx, clf, o.DataDir, "", 0, clf.Seed)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the scoring classifier's images: %w", err)
	}
	if s.Validation != nil && s.Validation != s.Test {
		s.Validation.Close()
	}
	if got, want := g.Generator.OutputShape(), s.Train.Shape; got.String() != want.String() {
		s.Close()
		return nil, nil, nil, fmt.Errorf("the GAN %s makes images of shape %v, but the classifier %s reads %s as %v (data.image_size and data.color_mode must agree)",
			cfg.File, got, clf.File, clf.Data.Path, want)
	}
	if gc := cfg.GAN(); gc.Conditional() && gc.NumClasses != len(s.ClassNames) {
		s.Close()
		return nil, nil, nil, fmt.Errorf("the conditional GAN %s has gan.num_classes %d, but the classifier %s knows %d classes (%v)",
			cfg.File, gc.NumClasses, clf.File, len(s.ClassNames), s.ClassNames)
	}
	toClassifier = same
	from, to := cfg.Data.ScaleFor(cfg.Task), clf.Data.ScaleFor(clf.Task)
	switch {
	case from == configs.ScaleTanh && to == configs.ScaleUnit:
		toClassifier = func(p []float32) {
			for i, v := range p {
				p[i] = (v + 1) / 2
			}
		}
	case from == configs.ScaleUnit && to == configs.ScaleTanh:
		toClassifier = func(p []float32) {
			for i, v := range p {
				p[i] = 2*v - 1
			}
		}
	}
	return s.Train, s.Test, toClassifier, nil
}

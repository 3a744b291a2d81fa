package tfrun

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/ganeval"
)

// EvaluateGANOptions are the options of EvaluateGAN: tfrun evaluate-gan's flags.
type EvaluateGANOptions struct {
	// RunDir is the GAN's run directory (-run); "" is DefaultRunDir(cfg).
	RunDir string
	// Classifier is the config of the classifier that scores the images, trained by
	// tfrun on the GAN's data (-classifier); nil loads DefaultGANClassifier's.
	Classifier *configs.Config
	// ClassifierRunDir is the classifier's run directory (-classifier-run); "" is
	// DefaultRunDir of its config.
	ClassifierRunDir string
	// N is how many images are generated and how many real ones compared (-n, tfrun's
	// default 10000); at least 2.
	N int
	// Seed seeds the noise (-seed, tfrun's default 1).
	Seed int64
	// DataDir is the folder searched first for the real images' data set (-data-dir).
	DataDir string
	// Threads sizes TensorFlow's intra-op pool (-threads; 0: one per core).
	Threads int
	// Out receives the scores as tfrun prints them; nil prints nothing.
	Out io.Writer
}

// GANMetrics are EvaluateGAN's scores, as gan_metrics.json holds them: the Fréchet
// distance between the classifier's features of generated and real test images (and the
// floor a perfect generator approaches), the entropy of the classes it finds in the
// generated images, and for a conditional GAN how often it finds the class asked for.
type GANMetrics = ganeval.GANMetrics

// classifierConfigs name the classifier that scores each data set's GANs, beside the
// GAN's config.
var classifierConfigs = map[string]string{
	configs.DatasetMNIST:        "mnist_classifier.yaml",
	configs.DatasetFashionMNIST: "fashion_classifier.yaml",
	configs.DatasetCIFAR10:      "cifar_classifier.yaml",
}

// DefaultGANClassifier is the path of the config of the classifier that scores a GAN of
// cfg's built-in data set: <data set>_classifier.yaml beside the GAN's config
// (configs/mnist_classifier.yaml, fashion_classifier.yaml, cifar_classifier.yaml). ok is
// false for a GAN of the program's own images, which has none: train a classifier on the
// same folder and give its config.
func DefaultGANClassifier(cfg *configs.Config) (path string, ok bool) {
	name, ok := classifierConfigs[cfg.Data.Dataset]
	if !ok || cfg.Data.Own() {
		return "", false
	}
	return filepath.Join(filepath.Dir(cfg.File), name), true
}

// EvaluateGAN scores the generator of a GAN's latest checkpoint, as tfrun evaluate-gan
// does, with a classifier trained by tfrun on the same data set, and writes the scores to
// gan_metrics.json in the GAN's run directory. cfg is the GAN's config (configs.Load, task
// gan). A cancelled ctx stops it between batches with an error wrapping ErrInterrupted.
//
// A config that is not a GAN's, a scoring config that is not a classifier's, no default
// classifier (own images), N < 2, or a run without a checkpoint are errors for which
// IsUserError is true.
func EvaluateGAN(ctx context.Context, cfg *configs.Config, o EvaluateGANOptions) (*GANMetrics, error) {
	if cfg == nil || cfg.GAN() == nil {
		return nil, userError(notGAN(cfg))
	}
	if o.N < 2 {
		return nil, userError(fmt.Errorf("evaluate-gan: n %d: want at least 2", o.N))
	}
	clf := o.Classifier
	if clf == nil {
		path, ok := DefaultGANClassifier(cfg)
		if !ok {
			return nil, userError(fmt.Errorf("evaluate-gan: %s trains on %s, which has no default scoring classifier: "+
				"train a classifier on that folder (data.format: image_directory, the GAN's image_size and color_mode) and give its config",
				cfg.File, cfg.Data.Name()))
		}
		var err error
		if clf, err = configs.Load(path); err != nil {
			return nil, userError(err)
		}
	}
	if clf.Supervised() == nil {
		return nil, userError(fmt.Errorf("%s: task %q: the scoring model must be a classifier", clf.File, clf.Task))
	}
	if o.RunDir == "" {
		o.RunDir = DefaultRunDir(cfg)
	}
	if o.ClassifierRunDir == "" {
		o.ClassifierRunDir = DefaultRunDir(clf)
	}
	return ganeval.Evaluate(cfg, ganeval.Options{RunDir: o.RunDir, Classifier: clf, ClassifierRunDir: o.ClassifierRunDir,
		N: o.N, DataDir: o.DataDir, Threads: o.Threads, Seed: o.Seed, Out: o.Out, Ctx: ctx})
}

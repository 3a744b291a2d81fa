// Package ganeval scores a trained GAN without Inception weights: with a classifier tfrun
// trained on the same data set, the Fréchet distance of generated and real images in its
// feature space, the entropy of the classes it assigns, and for a conditional GAN how
// often it finds the requested class.
package ganeval

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/gan"
	"github.com/tfrun/tfrun/metrics"
	"github.com/tfrun/tfrun/runner"
)

// GANMetrics is gan_metrics.json: the quality of a GAN's images judged by a classifier
// trained on the same data set (no Inception weights needed).
type GANMetrics struct {
	Checkpoint         string  `json:"checkpoint"`
	Classifier         string  `json:"classifier_checkpoint"`
	ClassifierAccuracy float64 `json:"classifier_test_accuracy"`
	Generated          int     `json:"generated_images"`
	// FrechetDistance is between the classifier's penultimate features of generated images
	// and of real test images; FrechetFloor the same between real training and real test
	// images (what a perfect generator would approach).
	FrechetDistance float64 `json:"frechet_distance"`
	FrechetFloor    float64 `json:"frechet_floor"`
	// LabelEntropy is the entropy (nats) of the classes the classifier assigns to the
	// generated images (log 10 ≈ 2.303 when every class is equally common; low values mean
	// mode collapse); LabelHistogram the counts.
	LabelEntropy   float64 `json:"label_entropy"`
	LabelHistogram []int   `json:"label_histogram"`
	// ConditionalAccuracy (conditional GANs) is how often the classifier finds the class
	// an image was generated for.
	ConditionalAccuracy *float64 `json:"conditional_accuracy,omitempty"`
}

// Options configure Evaluate.
type Options struct {
	RunDir           string          // the GAN's run directory
	Classifier       *configs.Config // the classifier's config
	ClassifierRunDir string          // its run directory
	N                int             // images generated and real images compared (10,000)
	DataDir          string
	Threads          int
	Seed             int64
	Out              io.Writer
	Ctx              context.Context // cancelled: stop between batches with ErrInterrupted
}

// Evaluate scores the GAN cfg describes (from its latest checkpoint) with a classifier
// trained by tfrun on the same data set, and writes gan_metrics.json to its run directory.
func Evaluate(cfg *configs.Config, o Options) (*GANMetrics, error) {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	if o.Classifier.Task != configs.TaskClassifier {
		return nil, fmt.Errorf("%s: task %q: the scoring model must be a classifier", o.Classifier.File, o.Classifier.Task)
	}
	if err := sameData(cfg, o.Classifier); err != nil {
		return nil, err
	}
	g, ganCkpt, err := gan.Load(cfg, o.RunDir, o.Threads)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	train, test, toClassifier, err := realImages(cfg, o, g)
	if err != nil {
		return nil, err
	}
	defer train.Close()
	defer test.Close()
	clf, clfCkpt, err := loadClassifier(o.Classifier, o.ClassifierRunDir, test, o.Threads)
	if err != nil {
		return nil, err
	}
	defer clf.Close()
	n := min(o.N, test.Len(), train.Len())
	const batch = 500
	m := &GANMetrics{Checkpoint: ganCkpt, Classifier: clfCkpt, Generated: n}
	testN := test.Head(n)
	if _, m.ClassifierAccuracy, err = clf.Evaluate(testN, batch); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Classifier %s: test accuracy %.4f\n", clfCkpt, m.ClassifierAccuracy)

	// Generated images: noise from the seed; conditional GANs cycle through the classes.
	gc := cfg.GAN()
	labels := make([]int32, n)
	if gc.Conditional() {
		for i := range labels {
			labels[i] = int32(i % gc.NumClasses)
		}
	}
	gen := &classifier.Dataset{Shape: test.Shape, Labels: make([]float32, n)}
	noise := gan.NormalNoise(n*gc.NoiseDim, o.Seed)
	for start := 0; start < n; start += batch {
		if o.Ctx != nil && o.Ctx.Err() != nil {
			return nil, fmt.Errorf("evaluate-gan: %w", runner.ErrInterrupted)
		}
		end := min(start+batch, n)
		imgs, err := g.Generate(noise[start*gc.NoiseDim:end*gc.NoiseDim], labels[start:end])
		if err != nil {
			return nil, err
		}
		toClassifier(imgs)
		gen.Floats = append(gen.Floats, imgs...)
	}
	for i, l := range labels {
		gen.Labels[i] = float32(l)
	}
	fmt.Fprintf(out, "Generated %d images from %s\n", n, ganCkpt)

	gauss := func(ds *classifier.Dataset) (metrics.Gaussian, error) {
		f, d, err := clf.Features(ds, batch)
		if err != nil {
			return metrics.Gaussian{}, err
		}
		return metrics.Fit(f, ds.Len(), d)
	}
	// A fixed random sample of the training images for the floor.
	sample := train.Subset(shuffledHead(train.Len(), n, o.Seed))
	gTest, err := gauss(testN)
	if err != nil {
		return nil, err
	}
	gTrain, err := gauss(sample)
	if err != nil {
		return nil, err
	}
	gGen, err := gauss(gen)
	if err != nil {
		return nil, err
	}
	if m.FrechetDistance, err = metrics.FrechetDistance(gGen, gTest); err != nil {
		return nil, err
	}
	if m.FrechetFloor, err = metrics.FrechetDistance(gTrain, gTest); err != nil {
		return nil, err
	}
	probs, err := clf.Predict(gen, batch)
	if err != nil {
		return nil, err
	}
	k := len(probs) / n
	pred := make([]int, n)
	m.LabelHistogram = make([]int, k)
	correct := 0
	for i := 0; i < n; i++ {
		best := 0
		for j := 1; j < k; j++ {
			if probs[i*k+j] > probs[i*k+best] {
				best = j
			}
		}
		pred[i] = best
		m.LabelHistogram[best]++
		if best == int(labels[i]) {
			correct++
		}
	}
	m.LabelEntropy = metrics.LabelEntropy(pred, k)
	if gc.Conditional() {
		acc := float64(correct) / float64(n)
		m.ConditionalAccuracy = &acc
	}
	fmt.Fprintf(out, "Fréchet distance (classifier features), generated vs real test: %.4f (real train vs real test: %.4f)\n", m.FrechetDistance, m.FrechetFloor)
	fmt.Fprintf(out, "Label entropy of generated images: %.4f nats (uniform: %.4f); histogram %v\n", m.LabelEntropy, math.Log(float64(k)), m.LabelHistogram)
	if m.ConditionalAccuracy != nil {
		fmt.Fprintf(out, "Conditional accuracy (classifier agrees with the requested class): %.4f\n", *m.ConditionalAccuracy)
	}
	path := filepath.Join(o.RunDir, "gan_metrics.json")
	if err := runner.WriteJSON(path, m); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Wrote %s\n", path)
	return m, nil
}

// shuffledHead returns n indices of [0, total) drawn without replacement from seed.
func shuffledHead(total, n int, seed int64) []int {
	return datasets.Shuffle(total, seed)[:n]
}

// loadClassifier builds the classifier cfg describes for data like ds and restores it from
// the latest checkpoint of runDir.
func loadClassifier(cfg *configs.Config, runDir string, ds *classifier.Dataset, threads int) (*classifier.Classifier, string, error) {
	c, err := classifier.FromConfig(cfg, ds.Shape, ds.Ints != nil, cfg.Seed, threads)
	if err != nil {
		return nil, "", err
	}
	prefix, err := checkpoints.RestoreLatest(c.Graph(), c.Session(), runner.CheckpointOptions(cfg, runDir))
	if err != nil {
		c.Close()
		return nil, "", err
	}
	return c, prefix, nil
}

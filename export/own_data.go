package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// InputFeatures is a table classifier's input: float32 [batch, features], the feature
// columns in the order normalization.json (and the config's data.feature_columns) lists.
const InputFeatures = "features"

// buildOwnClassifier is buildClassifier for a classifier trained on the user's own data:
// the run's class_names.json names the predicted classes, and
//
//   - text_directory: the run's vocabulary.json and the in-graph tokenizer, as IMDB;
//   - image_directory: images of data.image_size and data.color_mode's channels, scaled
//     in-graph as data.scale says; predict resizes other sizes as training did;
//   - csv: feature rows, normalized in-graph with the run's normalization.json (the
//     Normalization adapted on the training split) unless data.normalize is false.
//
// A regression (a regression loss on a CSV) has no classes: its serving_default returns
// the predicted values (OutputPrediction).
func buildOwnClassifier(m *Model, runDir string, threads int) error {
	cfg := m.Config
	if cfg.Supervised().Train.Loss.Regression() {
		if cfg.Data.Format != configs.FormatCSV {
			return errorf("building", cfg.File, ErrUnsupported, "a regression (train.loss %s) on data.format %s: only a CSV regression exports", cfg.Supervised().Train.Loss, cfg.Data.Format)
		}
		return buildTableClassifier(m, runDir, threads, nil)
	}
	classes, err := readClassNames(runDir, cfg.File)
	if err != nil {
		return err
	}
	names := func(n int) []string {
		if n == len(classes) {
			return classes
		}
		return classNames("", n)
	}
	switch cfg.Data.Format {
	case configs.FormatTextDirectory:
		return buildTextClassifier(m, runDir, threads, names)
	case configs.FormatImageDirectory:
		size := cfg.Data.ImageSizeOrDefault()
		scale := ScaleToUnit
		if cfg.Data.ScaleFor(cfg.Task) == configs.ScaleTanh {
			scale = ScaleToTanh
		}
		return buildImageClassifier(m, builders.Shape{size[0], size[1], cfg.Data.Channels()}, scale, names, threads)
	case configs.FormatCSV:
		return buildTableClassifier(m, runDir, threads, names)
	}
	return errorf("building", cfg.File, ErrUnsupported, "data.format %q", cfg.Data.Format)
}

// readClassNames reads a run's class_names.json.
func readClassNames(runDir, config string) ([]string, error) {
	path := filepath.Join(runDir, classifier.ClassNamesFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errorf("building", path, ErrNoRunFile, "missing: a run on own data writes it when it loads the data (is %s the run directory of %s?)", runDir, config)
	}
	if err != nil {
		return nil, errorf("building", path, ErrNoRunFile, "%v", err)
	}
	var names []string
	if err := json.Unmarshal(b, &names); err != nil || len(names) < 2 {
		return nil, errorf("building", path, ErrNoRunFile, "want a JSON list of 2 or more class names (%v)", err)
	}
	return names, nil
}

// readNormalization reads a CSV run's normalization.json and checks it against the
// config's feature columns.
func readNormalization(runDir string, cfg *configs.Config) (*classifier.Normalization, error) {
	return readNormalizationFile(filepath.Join(runDir, classifier.NormalizationFile), runDir, cfg.File, "data.feature_columns", cfg.Data.FeatureColumns)
}

// readNormalizationFile reads a Normalization a run wrote at path and checks its features
// against columns (the config's key, when given).
func readNormalizationFile(path, runDir, config, key string, columns []string) (*classifier.Normalization, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errorf("building", path, ErrNoRunFile, "missing: a CSV run writes it when it adapts the Normalization (is %s the run directory of %s?)", runDir, config)
	}
	if err != nil {
		return nil, errorf("building", path, ErrNoRunFile, "%v", err)
	}
	var n classifier.Normalization
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, errorf("building", path, ErrNoRunFile, "%v", err)
	}
	d := len(n.FeatureNames)
	if d == 0 || len(n.Mean) != d || len(n.Variance) != d {
		return nil, errorf("building", path, ErrNoRunFile, "%d feature names, %d means, %d variances: want one of each per feature", d, len(n.Mean), len(n.Variance))
	}
	if len(columns) > 0 && fmt.Sprint(columns) != fmt.Sprint(n.FeatureNames) {
		return nil, errorf("building", path, ErrNoRunFile, "features %v, but %s says %s: %v: the file is another run's", n.FeatureNames, config, key, columns)
	}
	return &n, nil
}

// normalizer is a Normalization's constants as datasets.Normalize computes them in
// float32: the mean and max(sqrt(variance), 1e-7).
type normalizer struct{ mean, std []float32 }

func newNormalizer(n *classifier.Normalization) *normalizer {
	z := &normalizer{}
	for j := range n.FeatureNames {
		z.mean = append(z.mean, float32(n.Mean[j]))
		z.std = append(z.std, max(float32(math.Sqrt(float64(float32(n.Variance[j])))), datasets.KerasEpsilon))
	}
	return z
}

// apply emits (x − mean) / std, which normalizes a row to the bits training fed.
func (z *normalizer) apply(s *graphs.Scope, x tf.Output) tf.Output {
	ns := s.Sub("normalization")
	return op.RealDiv(ns.Op("RealDiv"), op.Sub(ns.Op("Sub"), x, ns.Const(z.mean)), ns.Const(z.std))
}

// buildTableClassifier is buildClassifier for a CSV classifier (or, names nil, a CSV
// regression, whose head returns the predicted values): serving_default takes
// feature rows, float32 [batch, features], and applies the run's Normalization in-graph,
// (x − mean) / max(sqrt(variance), 1e-7) in float32 with the constants computed as
// datasets.Normalize computes them, so a row normalizes to the bits training fed.
func buildTableClassifier(m *Model, runDir string, threads int, names func(int) []string) error {
	cfg := m.Config
	var (
		features int
		norm     *normalizer
	)
	if cfg.Data.NormalizeOrDefault() {
		n, err := readNormalization(runDir, cfg)
		if err != nil {
			return err
		}
		features, norm = len(n.FeatureNames), newNormalizer(n)
	} else if features = len(cfg.Data.FeatureColumns); features == 0 {
		return errorf("building", cfg.File, ErrUnsupported, "data.normalize is false and data.feature_columns is not given: the number of features is unknown")
	}
	c, err := classifier.FromConfig(servingConfig(cfg), builders.Shape{features}, false, cfg.Seed, threads)
	if err != nil {
		return err
	}
	m.adopt(c.Graph(), c.Session(), c.Close)
	m.Kind = KindTableClassifier
	ss := c.Graph().Root().Sub("serving")
	x := ss.Placeholder("features", tf.Float, -1, int64(features))
	in := x
	if norm != nil {
		in = norm.apply(ss, x)
	}
	var out map[string]tf.Output
	if names == nil { // a regression
		m.Kind = KindTableRegressor
		out = regressionHead(ss, c.Model, in)
	} else {
		out = classifierHead(ss, c.Model, in, names)
	}
	m.sigs[DefaultSignature] = &signature{inputs: map[string]tf.Output{InputFeatures: x}, outputs: out}
	return ss.Err()
}

// regressionHead is a regression's serving outputs: the model's output (inference mode),
// [batch] for one output, [batch, k] for k.
func regressionHead(s *graphs.Scope, model builders.Model, x tf.Output) map[string]tf.Output {
	y, _ := model.Call(x, false)
	hs := s.Sub("head")
	if !hs.Ok(y) {
		return nil
	}
	if model.OutputShape()[0] == 1 {
		y = op.Squeeze(hs.Op("Squeeze"), y, op.SqueezeAxis([]int64{1}))
	}
	return map[string]tf.Output{OutputPrediction: op.Identity(hs.Op("Identity"), y)}
}

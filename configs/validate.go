package configs

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Validate checks that c is complete and possible: every name known, every number in
// range, and the parts consistent with each other (a val_loss monitor needs validation, a
// binary_crossentropy model ends in one sigmoid unit, an IMDB Embedding covers num_words).
// It returns the first problem as an [*Error] wrapping [ErrBadValue] (or [ErrMissingKey]
// for a missing section), in file order. Last it checks sizes: no tensor the run would
// build may have more elements than TensorFlow counts (int64) or a dimension beyond
// tfrun's int32, and the run's memory estimate (EstimateMemory, all the data) must fit
// this machine (MachineMemory). Load calls it; call it yourself on a Config built or
// changed in Go.
func (c *Config) Validate() error {
	ch := &checker{file: c.File}
	if c.Name == "" {
		return ch.missing("name", "")
	}
	if strings.ContainsAny(c.Name, `/\`) || c.Name == "." || c.Name == ".." {
		return ch.bad("name", "%q: must be usable as a directory name (no / or \\)", c.Name)
	}
	if err := ch.oneOf("task", c.Task, KindNames()); err != nil {
		return err
	}
	kind, _ := c.Kind()
	if err := ch.oneOf("precision", c.Precision, Precisions()); err != nil {
		return err
	}
	if err := ch.data(&c.Data, kind); err != nil {
		return err
	}
	if err := c.validateSection(ch, kind); err != nil {
		return err
	}
	if err := firstErr([]error{
		ch.positive("checkpoint.every", c.Checkpoint.Every),
		ch.positive("checkpoint.keep", c.Checkpoint.Keep),
	}); err != nil {
		return err
	}
	return c.checkSizes()
}

// numClasses returns the number of label classes of a data set.
func numClasses(dataset string) int {
	if dataset == DatasetIMDB {
		return 2
	}
	return 10
}

// data checks the data section.
func (c *checker) data(d *Data, k Kind) error {
	if d.Own() {
		return c.ownData(d, k)
	}
	if d.Dataset == "" {
		return c.missing("data.dataset", fmt.Sprintf(" (a built-in data set: %s), or give data.format for your own data (%s)",
			strings.Join(builtinDatasets(), ", "), strings.Join(DataFormats(), ", ")))
	}
	if err := c.oneOf("data.dataset", d.Dataset, builtinDatasets()); err != nil {
		return err
	}
	if err := c.builtinWithOwnKeys(d); err != nil {
		return err
	}
	if !k.trainsOn(d) {
		return c.bad("data.dataset", "%q: not for task %s; use one of %s", d.Dataset, k.Name, strings.Join(k.Datasets, ", "))
	}
	if d.Dataset != DatasetIMDB {
		if d.NumWords != 0 {
			return c.bad("data.num_words", "only for dataset imdb, not %s", d.Dataset)
		}
		if d.Maxlen != 0 {
			return c.bad("data.maxlen", "only for dataset imdb, not %s", d.Dataset)
		}
		return nil
	}
	if d.NumWords <= 0 {
		return c.bad("data.num_words", "must be > 0 for dataset imdb (Keras imdb.load_data num_words), got %d", d.NumWords)
	}
	if d.Maxlen <= 0 {
		return c.bad("data.maxlen", "must be > 0 for dataset imdb (Keras pad_sequences maxlen), got %d", d.Maxlen)
	}
	return c.atMostMaxDim("data.maxlen", d.Maxlen)
}

// atMostMaxDim refuses a dimension beyond maxDim, the largest tfrun's graphs take.
func (c *checker) atMostMaxDim(key string, n int) error {
	if n > maxDim {
		return c.bad(key, "%d: tfrun's graphs take sizes up to %d (int32)", n, maxDim)
	}
	return nil
}

// train checks the train section of a classifier.
func (c *checker) train(t *Train) error {
	checks := []error{
		c.positive("train.epochs", t.Epochs),
		c.positive("train.batch_size", t.BatchSize),
		c.atMostMaxDim("train.batch_size", t.BatchSize),
	}
	if t.ValidationData != "" && t.ValidationData != ValidationTest {
		checks = append(checks, c.bad("train.validation_data", "unknown %q (valid: %q for the test split, or \"\" for none)",
			t.ValidationData, ValidationTest))
	}
	checks = append(checks, c.unitInterval("train.validation_split", t.ValidationSplit))
	if t.ValidationData != "" && t.ValidationSplit != 0 {
		checks = append(checks, c.bad("train.validation_split", "%g given with validation_data: %s; set only one (Keras's fit ignores validation_split when validation_data is given)",
			t.ValidationSplit, t.ValidationData))
	}
	checks = append(checks, c.fitArgs(t))
	checks = append(checks, c.loss("train.loss", &t.Loss))
	seen := map[string]bool{}
	for i, m := range t.Metrics {
		p := indexPath("train.metrics", i)
		checks = append(checks, c.oneOf(p, m, MetricNames()), c.metricFitsLoss(p, m, t.Loss))
		if seen[m] {
			checks = append(checks, c.bad(p, "%q given twice", m))
		}
		seen[m] = true
	}
	checks = append(checks, c.optimizer("train.optimizer", &t.Optimizer))
	for i := range t.Callbacks {
		p := indexPath("train.callbacks", i)
		checks = append(checks, c.callback(p, &t.Callbacks[i], trainMonitors(t)))
		if t.Callbacks[i].Type == CallbackReduceLROnPlateau && t.Optimizer.Schedule != nil {
			checks = append(checks, c.bad(p+".type", "ReduceLROnPlateau cannot set a learning rate that train.optimizer.learning_rate schedules (%s); Keras refuses it too. Drop one of the two",
				t.Optimizer.Schedule.Type))
		}
	}
	return firstErr(checks)
}

// metricFitsLoss checks that a metric suits the labels the loss implies.
func (c *checker) metricFitsLoss(path, metric string, loss Loss) error {
	labels := loss.Labels()
	classMetric := metric == MetricAccuracy || metric == MetricBinaryAccuracy || metric == MetricSparseCategoricalAccuracy ||
		metric == MetricCategoricalAccuracy || IsConfusionMetric(metric) || IsTopKMetric(metric)
	switch {
	case labels == 0:
		return nil // the loss's own error
	case labels == LabelsReal && classMetric:
		return c.bad(path, "%s needs class labels, but %s is a regression loss (real-valued targets); use %s, %s, %s or %s",
			metric, loss, MetricMAE, MetricMSE, MetricRootMeanSquaredError, MetricR2Score)
	case metric == MetricBinaryAccuracy && labels != LabelsBinary:
		return c.bad(path, "%s compares one probability with 0.5; with %s use %s (or accuracy)", metric, loss, MetricSparseCategoricalAccuracy)
	case (metric == MetricSparseCategoricalAccuracy || metric == MetricCategoricalAccuracy || IsTopKMetric(metric)) && labels != LabelsSparse && labels != LabelsOneHot:
		return c.bad(path, "%s takes class labels and one probability per class; with %s use %s (or accuracy)", metric, loss, MetricBinaryAccuracy)
	case IsConfusionMetric(metric) && labels != LabelsBinary:
		return c.bad(path, "%s needs binary labels and one probability (binary_crossentropy), not %s", metric, loss)
	case IsRegressionMetric(metric) && labels == LabelsSparse:
		return c.bad(path, "%s compares targets with outputs of the same shape, but %s takes one class id against one probability per class; use accuracy, or a loss whose labels are shaped like the output (categorical_crossentropy)",
			metric, loss)
	}
	return nil
}

// classifierConsistency checks the model against the data and the loss: the vocabulary,
// the output layer, and (when the data set's shape is known) every layer's input shape
// and the output's.
func (c *checker) classifierConsistency(cfg *Config) error {
	ls := cfg.Supervised().Model.Layers
	if first := ls[0]; (cfg.Data.Dataset == DatasetIMDB || cfg.Data.Format == FormatTextDirectory) && first.Type == LayerEmbedding && first.Int("input_dim") < cfg.Data.NumWords {
		return c.bad("model.layers[0].input_dim", "%d < data.num_words %d; IMDB word indices go up to num_words-1, so input_dim must be >= num_words",
			first.Int("input_dim"), cfg.Data.NumWords)
	}
	if first := ls[0]; (cfg.Data.Dataset == DatasetIMDB || cfg.Data.Format == FormatTextDirectory) && first.Type == LayerTokenAndPositionEmbedding && first.Int("vocabulary_size") < cfg.Data.NumWords {
		return c.bad("model.layers[0].vocabulary_size", "%d < data.num_words %d; IMDB word indices go up to num_words-1, so vocabulary_size must be >= num_words",
			first.Int("vocabulary_size"), cfg.Data.NumWords)
	}
	if cfg.Data.Own() {
		if err := c.ownDataValidation(cfg); err != nil {
			return err
		}
	}
	if err := c.labelsAndWeights(cfg); err != nil {
		return err
	}
	return c.lossFitsModel(cfg)
}

// lossFitsModel checks the loss against the data and the model's output: the labels the
// loss takes, the output activation binary_crossentropy and
// sparse_categorical_crossentropy need on probabilities, and the output's width. Only
// what cannot run is refused: Keras runs mse on a softmax, so does tfrun.
func (c *checker) lossFitsModel(cfg *Config) error {
	s := cfg.Supervised()
	loss := s.Train.Loss
	labels := loss.Labels()
	csvTarget := cfg.Data.Format == FormatCSV && labels == LabelsReal
	// classes is 0 for own data without class_names: the files tell, and the classifier
	// checks the loss and the output against them when it loads them.
	classes := cfg.Data.NumClasses()
	mode := cfg.Data.LabelMode // "" : the loss's own, as before label_mode existed
	switch {
	case labels == LabelsBinary && mode != LabelModeCategorical && classes != 2 && classes != 0:
		return c.bad("train.loss", "%s needs 2 classes, but %s has %d; use %s", loss, cfg.Data.Name(), classes,
			LossSparseCategoricalCrossentropy)
	case csvTarget && len(cfg.Data.ClassNames) > 0:
		return c.bad("data.class_names", "given, but train.loss %s is a regression loss, which takes the label column %q as numbers; drop class_names, or use a classification loss",
			loss, cfg.Data.Label.String())
	}
	// The output activation: that of a final Dense, or a final Activation layer; the loss
	// is computed from its logits, as Keras does.
	l, p := s.Model.OutputLayer()
	want := ""
	switch {
	case loss.Type == LossBinaryCrossentropy && !loss.FromLogits:
		want = ActivationSigmoid
	case loss.Type == LossSparseCategoricalCrossentropy && !loss.FromLogits:
		want = ActivationSoftmax
	}
	if want != "" && l.Type != LayerDense && l.Type != LayerActivation {
		return c.bad(p+".type", "%s: the model must end in a Dense or Activation layer with activation %s, whose probabilities %s takes",
			l.Type, want, loss)
	}
	if want != "" && l.String("activation") != want {
		return c.bad(p+".activation", "%q, but %s expects probabilities (from_logits=False); the output needs activation %s (or set train.loss.from_logits: true for a linear output)",
			l.String("activation"), loss, want)
	}
	// width says what the output's width must be: 1 (one unit per example), or at least
	// the number of classes (0: unknown yet).
	// exact: the labels are one-hot vectors of exactly `classes` (an explicit
	// label_mode: categorical), which the output must match.
	width, what, exact := 0, "", false
	switch {
	case cfg.MultiLabel():
		width, what, exact = len(cfg.Data.Label), fmt.Sprintf("takes the CSV's %d label columns (%s) as multi-label targets, one output unit each", len(cfg.Data.Label), cfg.Data.Label), true
	case mode == LabelModeCategorical && labels != LabelsSparse:
		width, exact = max(classes, 2), classes > 0
	case labels == LabelsBinary:
		width, what = 1, "needs 1 output unit"
	case csvTarget && len(cfg.Data.Label) > 1:
		width, what, exact = len(cfg.Data.Label), fmt.Sprintf("takes the CSV's %d label columns (%s), one output unit each", len(cfg.Data.Label), cfg.Data.Label), true
	case csvTarget:
		width, what = 1, fmt.Sprintf("takes the CSV's label column %q, one real number per row, so it needs 1 output unit", cfg.Data.Label.String())
	case labels == LabelsSparse || labels == LabelsOneHot:
		width = max(classes, 2)
	case labels == LabelsReal && mode != "":
		width, what = 1, fmt.Sprintf("takes the class ids as numbers (data.label_mode: %s), one per example, so it needs 1 output unit", mode)
	}
	if l.Type == LayerDense && width > 0 {
		switch units := l.Int("units"); {
		case exact && units != width && what != "":
			return c.bad(p+".units", "%d, but %s %s", units, loss, what)
		case exact && units != width:
			return c.bad(p+".units", "%d, but data.label_mode: categorical gives one-hot labels of %s's %d classes, so the output needs exactly %d units",
				units, cfg.Data.Name(), classes, width)
		case width == 1 && units != 1:
			return c.bad(p+".units", "%d, but %s %s", units, loss, what)
		case width > 1 && units < width && classes == 0:
			return c.bad(p+".units", "%d, but %s needs one output unit per class, >= 2", units, loss)
		case width > 1 && units < width:
			return c.bad(p+".units", "%d, but %s has %d classes, so %s needs >= %d output units",
				units, cfg.Data.Name(), classes, loss, width)
		}
	}
	in, ids, known := cfg.Data.InputShape()
	out, known, err := c.modelShape(&s.Model, in, ids, known)
	if err != nil || !known {
		return err
	}
	switch {
	case width == 1 && (len(out) != 1 || out[0] != 1):
		return c.bad(p, "the model's output is %v, but %s needs (None, 1)", out, loss)
	case exact && (len(out) != 1 || out[0] != width):
		return c.bad(p, "the model's output is %v, but %s on %s needs (None, %d)", out, loss, cfg.Data.Name(), width)
	case width > 1 && (len(out) != 1 || out[0] < width):
		return c.bad(p, "the model's output is %v, but %s on %s needs (None, k) with k >= %d classes", out, loss, cfg.Data.Name(), classes)
	case labels == LabelsOneHot && len(out) != 1, labels == LabelsReal && len(out) != 1:
		return c.bad(p, "the model's output is %v, but %s takes one vector per example, (None, k)", out, loss)
	}
	return nil
}

// ownDataValidation checks that one validation set is asked for: data.validation_split
// and train's validation_split / validation_data exclude each other, and validation_data:
// test needs data.test_path.
func (c *checker) ownDataValidation(cfg *Config) error {
	d, t := &cfg.Data, &cfg.Supervised().Train
	switch {
	case d.ValidationSplit > 0 && t.ValidationSplit > 0:
		return c.bad("train.validation_split", "%g given with data.validation_split %g; set only one", t.ValidationSplit, d.ValidationSplit)
	case d.ValidationSplit > 0 && t.ValidationData != "":
		return c.bad("train.validation_data", "%q given with data.validation_split %g; set only one", t.ValidationData, d.ValidationSplit)
	case t.ValidationData == ValidationTest && d.TestPath == "":
		return c.bad("train.validation_data", "%q needs data.test_path (the test data to validate on), or use data.validation_split", t.ValidationData)
	}
	return nil
}

// gan checks the gan section.
func (c *checker) gan(g *GAN) error {
	checks := []error{
		c.positive("gan.noise_dim", g.NoiseDim),
		c.atMostMaxDim("gan.noise_dim", g.NoiseDim),
		c.positive("gan.batch_size", g.BatchSize),
		c.atMostMaxDim("gan.batch_size", g.BatchSize),
		c.atMostMaxDim("gan.num_classes", g.NumClasses),
		c.atMostMaxDim("gan.sample_grid[0]", g.SampleGrid[0]),
		c.atMostMaxDim("gan.sample_grid[1]", g.SampleGrid[1]),
		c.positive("gan.epochs", g.Epochs),
		c.nonNegative("gan.num_classes", g.NumClasses),
		c.positivePair("gan.sample_grid", g.SampleGrid),
		c.network("gan.generator", &g.Generator, g.NumClasses),
		c.network("gan.discriminator", &g.Discriminator, g.NumClasses),
		c.optimizer("gan.generator_optimizer", &g.GeneratorOptimizer),
		c.optimizer("gan.discriminator_optimizer", &g.DiscriminatorOptimizer),
		c.noSchedule("gan.generator_optimizer", &g.GeneratorOptimizer),
		c.noSchedule("gan.discriminator_optimizer", &g.DiscriminatorOptimizer),
		c.oneOf("gan.train_step", g.TrainStep, []string{TrainStepSimultaneous, TrainStepAlternating}),
	}
	if err := firstErr(checks); err != nil {
		return err
	}
	return c.ganShapes(g)
}

// noSchedule refuses a learning-rate schedule where none is implemented (a GAN's
// optimizers).
func (c *checker) noSchedule(path string, o *Optimizer) error {
	if o.Schedule != nil {
		return c.bad(path+".learning_rate", "a schedule (%s): learning-rate schedules are implemented for classifiers (train.optimizer) only; give a number", o.Schedule.Type)
	}
	return nil
}

// ganShapes infers both networks' shapes: the generator's from the noise, the
// discriminator's from the generator's images (that these are the data set's images is
// checked when the GAN is built with its data), which must come out as one value per
// image.
func (c *checker) ganShapes(g *GAN) error {
	images, err := c.networkShape("gan.generator", &g.Generator, Shape{g.NoiseDim})
	if err != nil {
		return err
	}
	out, err := c.networkShape("gan.discriminator", &g.Discriminator, images)
	if err != nil {
		return err
	}
	if len(out) != 1 || out[0] != 1 {
		return c.bad(networkOutputPath("gan.discriminator", &g.Discriminator), "the discriminator gives %v, want one logit per image (None, 1)", out)
	}
	return nil
}

// checker makes the errors of Validate, all in one file.
type checker struct{ file string }

func (c *checker) err(key string, err error) error {
	return &Error{File: c.file, Key: key, Err: err}
}

// bad returns an ErrBadValue at key.
func (c *checker) bad(key, format string, args ...any) error {
	return c.err(key, &kindError{kind: ErrBadValue, msg: fmt.Sprintf(format, args...)})
}

// missing returns an ErrMissingKey at key; why may say when it is required (" for ...").
func (c *checker) missing(key, why string) error {
	return c.err(key, &kindError{kind: ErrMissingKey, msg: "missing; required" + why})
}

func (c *checker) oneOf(key, got string, valid []string) error {
	for _, v := range valid {
		if got == v {
			return nil
		}
	}
	return c.err(key, unknownValue(got, valid))
}

func (c *checker) positive(key string, n int) error {
	if n <= 0 {
		return c.bad(key, "must be > 0, got %d", n)
	}
	return nil
}

func (c *checker) nonNegative(key string, n int) error {
	if n < 0 {
		return c.bad(key, "must be >= 0, got %d", n)
	}
	return nil
}

func (c *checker) positiveFloat(key string, f float64) error {
	if !(f > 0) || math.IsInf(f, 0) {
		return c.bad(key, "must be > 0, got %g", f)
	}
	return nil
}

func (c *checker) nonNegativeFloat(key string, f float64) error {
	if !(f >= 0) || math.IsInf(f, 0) {
		return c.bad(key, "must be >= 0, got %g", f)
	}
	return nil
}

// unitInterval checks f is in [0, 1).
func (c *checker) unitInterval(key string, f float64) error {
	if !(f >= 0 && f < 1) {
		return c.bad(key, "must be in [0, 1), got %g", f)
	}
	return nil
}

func (c *checker) positivePair(key string, p [2]int) error {
	if p[0] <= 0 || p[1] <= 0 {
		return c.bad(key, "must be > 0, got [%d, %d]", p[0], p[1])
	}
	return nil
}

// unknownValue says got is not one of valid, listing them.
func unknownValue(got string, valid []string) error {
	return &kindError{kind: ErrBadValue, msg: fmt.Sprintf("unknown %q (valid: %s)", got, strings.Join(valid, ", "))}
}

// indexPath returns path[i].
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// firstErr returns the first non-nil error.
func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// noRegularizers refuses a regularizer in a GAN network: its train step (the Keras DCGAN
// tutorial's custom train_step) minimizes the adversarial losses only, without
// model.losses, so a penalty would silently do nothing.
func (c *checker) noRegularizers(path string, layers []Layer) error {
	for i := range layers {
		spec := layers[i].Spec()
		if spec == nil {
			continue
		}
		for _, a := range spec.Args {
			if a.Kind != KindRegularizer {
				continue
			}
			if r, _ := layers[i].value(a); r != nil && !r.(Regularizer).None() {
				return c.bad(indexPath(path, i)+"."+a.Key, "%v: regularizers are not supported in a GAN network (its train step minimizes the adversarial losses only); use them in a classifier or regression", r)
			}
		}
	}
	return nil
}

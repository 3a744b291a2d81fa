package configs

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Label modes of Data.LabelMode: keras.utils.image_dataset_from_directory's (and
// text_dataset_from_directory's) label_mode, for image and text folders and CSV tables.
const (
	// LabelModeInt: each label is its integer class id, shape (batch,)
	// (sparse_categorical_crossentropy's labels).
	LabelModeInt = "int"
	// LabelModeCategorical: each label is its class one-hot encoded, float32 (batch, k)
	// (categorical_crossentropy's labels).
	LabelModeCategorical = "categorical"
	// LabelModeBinary: each label is 0. or 1., float32 (batch, 1); exactly 2 classes
	// (binary_crossentropy's labels).
	LabelModeBinary = "binary"
)

// LabelModes returns the values data.label_mode takes.
func LabelModes() []string { return []string{LabelModeInt, LabelModeCategorical, LabelModeBinary} }

// LabelModeFor is the label mode of labels a loss takes, which is the mode of a config
// that gives no data.label_mode: int for sparse_categorical_crossentropy, categorical
// for categorical_crossentropy and kl_divergence, binary for binary_crossentropy and the
// other 0/1 losses; "" for a regression loss, whose targets are numbers.
func LabelModeFor(loss Loss) string {
	switch loss.Labels() {
	case LabelsSparse:
		return LabelModeInt
	case LabelsOneHot:
		return LabelModeCategorical
	case LabelsBinary:
		return LabelModeBinary
	}
	return ""
}

// LabelMode is the config's label mode: data.label_mode, or when it is absent the mode
// the loss takes (LabelModeFor), as tfrun always chose it; "" for a regression on a CSV
// column of real numbers. A regression loss on a folder of classes takes the class ids
// as numbers (int).
func (c *Config) LabelMode() string {
	if c.Data.LabelMode != "" {
		return c.Data.LabelMode
	}
	t := c.supervisedTrain()
	if t == nil {
		return LabelModeInt // a kind without a loss (the GAN) has no labels to shape
	}
	if m := LabelModeFor(t.Loss); m != "" || c.Data.Format == FormatCSV {
		return m
	}
	return LabelModeInt
}

// supervisedTrain is the supervised section's train, or nil for another kind.
func (c *Config) supervisedTrain() *Train {
	if s := c.Supervised(); s != nil {
		return &s.Train
	}
	return nil
}

// ClassWeight is Model.fit class_weight: a weight per class, which multiplies the loss of
// each training example of that class (Keras turns it into sample weights). Keys are
// class indices ("0", "1", ...) or, for data whose classes have names (class_names, the
// folders, a CSV's label values), class names matched case-insensitively (YAML keys reach
// tfrun lower-cased). A key that is a whole number is an index. Classes not listed weigh
// 1, as in Keras.
type ClassWeight map[string]float64

// Weights returns the weight of each class index, 0..numClasses-1, for classes named
// names (nil when they have none): the listed weights, 1 for the others. An index out of
// range, an unknown or ambiguous name, or a class given twice (by index and by name) is
// an error naming the key.
func (w ClassWeight) Weights(names []string, numClasses int) ([]float64, error) {
	out := make([]float64, numClasses)
	for i := range out {
		out[i] = 1
	}
	set := map[int]string{}
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		i, err := w.index(k, names, numClasses)
		if err != nil {
			return nil, err
		}
		if prev, dup := set[i]; dup {
			return nil, &kindError{kind: ErrBadValue, msg: fmt.Sprintf("%q and %q both weigh class %d", prev, k, i)}
		}
		set[i] = k
		out[i] = w[k]
	}
	return out, nil
}

// index is the class index a class_weight key means.
func (w ClassWeight) index(key string, names []string, numClasses int) (int, error) {
	if i, err := strconv.Atoi(key); err == nil {
		if i < 0 || i >= numClasses {
			return 0, &kindError{kind: ErrBadValue, msg: fmt.Sprintf("class index %s: the data has %d classes, 0..%d", key, numClasses, numClasses-1)}
		}
		return i, nil
	}
	if len(names) == 0 {
		return 0, &kindError{kind: ErrBadValue, msg: fmt.Sprintf("%q: the classes have no names; key them by index 0..%d", key, numClasses-1)}
	}
	found := -1
	for i, n := range names {
		if !strings.EqualFold(n, key) {
			continue
		}
		if found >= 0 {
			return 0, &kindError{kind: ErrBadValue, msg: fmt.Sprintf("%q names classes %q and %q, which differ only in case (YAML keys reach tfrun lower-cased); key them by index", key, names[found], n)}
		}
		found = i
	}
	if found < 0 {
		return 0, &kindError{kind: ErrBadValue, msg: fmt.Sprintf("unknown class %q (classes: %s; or an index 0..%d)", key, strings.Join(names, ", "), numClasses-1)}
	}
	return found, nil
}

// classWeight decodes train.class_weight: a mapping of class to number.
func (d *decoder) classWeight(path string, raw any, w *ClassWeight) error {
	m, err := d.mapping(path, raw, " of class (index or name) to weight, e.g. {0: 1.0, 1: 5.0}")
	if err != nil {
		return err
	}
	out := ClassWeight{}
	for k, v := range m {
		f, ok := asFloat(v)
		if !ok {
			return d.wrongType(join(path, k), "a number", v)
		}
		out[k] = f
	}
	*w = out
	return nil
}

// labelsAndWeights checks data.label_mode against the loss and the classes,
// data.sample_weight, train.class_weight and train.weighted_metrics: only what Keras can
// pair is accepted, and each refusal names the key to change.
func (c *checker) labelsAndWeights(cfg *Config) error {
	d, t := &cfg.Data, cfg.supervisedTrain()
	if err := c.multiLabel(cfg); err != nil {
		return err
	}
	loss := t.Loss
	kind := loss.Labels()
	classes := d.NumClasses()
	if m := d.LabelMode; m != "" {
		if err := c.oneOf("data.label_mode", m, LabelModes()); err != nil {
			return err
		}
		pair := fmt.Sprintf("%s with train.loss: %s", m, loss)
		switch {
		case kind == LabelsReal && d.Format == FormatCSV:
			return c.bad("data.label_mode", "%s: a regression loss takes the label column %q as real numbers, not as classes; remove data.label_mode, or use a classification loss", pair, d.Label.String())
		case kind == LabelsSparse && m == LabelModeCategorical:
			return c.bad("data.label_mode", "%s: one-hot labels, but the loss takes integer class ids; use label_mode: %s or loss: %s", pair, LabelModeInt, LossCategoricalCrossentropy)
		case kind == LabelsOneHot && m != LabelModeCategorical:
			return c.bad("data.label_mode", "%s: %s labels, but the loss takes one-hot labels (one probability per class); use label_mode: %s or loss: %s",
				pair, map[string]string{LabelModeInt: "integer class id", LabelModeBinary: "0/1"}[m], LabelModeCategorical, LossSparseCategoricalCrossentropy)
		case m == LabelModeBinary && classes != 0 && classes != 2:
			return c.bad("data.label_mode", "binary needs exactly 2 classes (as Keras's), but %s has %d; use %s or %s", d.Name(), classes, LabelModeInt, LabelModeCategorical)
		case kind == LabelsBinary && m == LabelModeInt && classes > 2:
			return c.bad("data.label_mode", "%s: %s takes 0/1 labels, but %s has %d classes; use loss: %s (or label_mode: %s for one sigmoid per class)",
				pair, loss, d.Name(), classes, LossSparseCategoricalCrossentropy, LabelModeCategorical)
		}
	}
	if d.SampleWeight != "" && len(t.ClassWeight) > 0 {
		return c.bad("train.class_weight", "given with data.sample_weight %q; set only one (Keras's fit refuses class_weight and sample_weight at the same time)", d.SampleWeight)
	}
	if len(t.ClassWeight) > 0 {
		if kind == LabelsReal {
			return c.bad("train.class_weight", "given, but train.loss %s is a regression loss: its targets have no classes to weigh; weigh rows with data.sample_weight (a CSV column) instead", loss)
		}
		keys := make([]string, 0, len(t.ClassWeight))
		for k := range t.ClassWeight {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := t.ClassWeight[k]; !(v >= 0) || math.IsInf(v, 0) {
				return c.bad("train.class_weight."+k, "must be a finite number >= 0, got %g", v)
			}
		}
		if classes > 0 {
			var names []string
			if d.Own() {
				names = d.ClassNames
			}
			if _, err := t.ClassWeight.Weights(names, classes); err != nil {
				return c.err("train.class_weight", err)
			}
		}
	}
	seen := map[string]bool{}
	for i, m := range t.WeightedMetrics {
		p := indexPath("train.weighted_metrics", i)
		if err := firstErr([]error{c.oneOf(p, m, MetricNames()), c.metricFitsLoss(p, m, loss)}); err != nil {
			return err
		}
		if m == MetricR2Score || IsTopKMetric(m) {
			return c.bad(p, "%s: weighted %s is not implemented; list it in train.metrics (unweighted)", m, m)
		}
		if seen[m] {
			return c.bad(p, "%q given twice", m)
		}
		seen[m] = true
	}
	return nil
}

// labelsForGAN refuses the label and weight keys of a GAN, which has no labels to shape
// or weigh.
func (c *checker) labelsForGAN(d *Data) error {
	switch {
	case d.LabelMode != "":
		return c.bad("data.label_mode", "a gan trains on images without labels; remove it")
	case d.SampleWeight != "":
		return c.bad("data.sample_weight", "a gan trains on images without weights; remove it")
	}
	return nil
}

// sampleWeightFormat refuses data.sample_weight on data that has no column to read it
// from (image and text folders).
func (c *checker) sampleWeightFormat(d *Data) error {
	if d.SampleWeight != "" && d.Format != FormatCSV {
		return c.bad("data.sample_weight", "%q: sample weights are read from a column of a CSV table (data.format: csv), not from %s; for a folder of classes weigh them with train.class_weight",
			d.SampleWeight, d.Format)
	}
	if d.SampleWeight != "" && (slices.Contains(d.Label, d.SampleWeight) || slices.Contains(d.FeatureColumns, d.SampleWeight)) {
		return c.bad("data.sample_weight", "%q is the label or a feature column; the weights need a column of their own", d.SampleWeight)
	}
	return nil
}

// WeightedMetricLogName is the log name of a weighted metric: the metric's own, or with
// Keras's "weighted_" prefix when train.metrics lists the same metric.
func (t Train) WeightedMetricLogName(metric string) string {
	name := MetricLogName(metric)
	if slices.Contains(t.Metrics, metric) {
		return "weighted_" + name
	}
	return name
}

// Weighted reports whether training weighs its examples (train.class_weight or
// data.sample_weight).
func (c *Config) Weighted() bool {
	t := c.supervisedTrain()
	return t != nil && (len(t.ClassWeight) > 0 || c.Data.SampleWeight != "")
}

// Columns names one CSV column or several; YAML takes a name or a list of names.
type Columns []string

// String lists the columns, comma-separated.
func (c Columns) String() string { return strings.Join(c, ", ") }

// canonical is the fingerprint's form: the name of a single column (as data.label always
// was), else the list.
func (c Columns) canonical() any {
	if len(c) == 1 {
		return c[0]
	}
	return []string(c)
}

// columns decodes a column name or a list of them.
func (d *decoder) columns(path string, raw any, c *Columns) error {
	if s, ok := raw.(string); ok {
		*c = Columns{s}
		return nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return d.wrongType(path, "a column name or a non-empty list of them", raw)
	}
	out := make(Columns, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return d.wrongType(indexPath(path, i), "a column name", item)
		}
		out[i] = s
	}
	*c = out
	return nil
}

// MultiLabel reports whether the config is a multi-label classification: a CSV with
// several label columns (each 0 or 1) and a classification loss.
func (c *Config) MultiLabel() bool {
	t := c.supervisedTrain()
	return t != nil && len(c.Data.Label) > 1 && !t.Loss.Regression()
}

// LabelWidth is the number of labels of one example: the CSV's label columns (1 for
// every other data).
func (d Data) LabelWidth() int { return max(len(d.Label), 1) }

// multiLabel checks several CSV label columns: real-valued targets for a regression
// loss; for a classification loss multi-label 0/1 targets, one sigmoid unit per column,
// which only the 0/1 losses (binary_crossentropy, ...) take, with label_mode binary
// (implied), no class_names (the columns are the classes) and no class_weight.
func (c *checker) multiLabel(cfg *Config) error {
	d, t := &cfg.Data, cfg.supervisedTrain()
	if len(d.Label) < 2 {
		return nil
	}
	kind := t.Loss.Labels()
	switch {
	case kind == LabelsReal:
		return nil
	case kind != LabelsBinary:
		return c.bad("train.loss", "%s, but data.label names %d columns: a multi-label target (each column 0 or 1, one sigmoid output per column) takes %s (or a regression loss for real-valued targets)",
			t.Loss, len(d.Label), LossBinaryCrossentropy)
	case d.LabelMode != "" && d.LabelMode != LabelModeBinary:
		return c.bad("data.label_mode", "%s, but data.label names %d columns, each a 0/1 target: use label_mode: %s (the default)", d.LabelMode, len(d.Label), LabelModeBinary)
	case len(d.ClassNames) > 0:
		return c.bad("data.class_names", "given with %d label columns: in a multi-label table the columns are the classes (%s); drop class_names", len(d.Label), d.Label)
	case len(t.ClassWeight) > 0:
		return c.bad("train.class_weight", "given with %d label columns: Keras weighs a multi-label row by its first positive column (class_weight_to_sample_weights takes the argmax), which weighs nothing meaningful; weigh rows with data.sample_weight", len(d.Label))
	}
	return nil
}

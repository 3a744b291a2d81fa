package classifier

import (
	"fmt"
	"math"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	tfmetrics "github.com/tfrun/tfrun/metrics"
)

// Example weights, as Keras's fit applies them: train.class_weight becomes each training
// example's weight from its class (data_adapter_utils.class_weight_to_sample_weights),
// data.sample_weight is a CSV column of weights; either multiplies each example's loss
// (Σ wᵢ·lᵢ / batch size) and averages the weighted_metrics. Validation and the test
// evaluation are weighed by sample weights only: Keras's fit slices sample_weight with
// validation_split and evaluates validation data with its own weights, while class_weight
// reaches only the training data adapter.

// buildWeightedMetrics compiles weighted_metrics into out's counts, each [Σ w·v, Σ w] (or
// weighted confusion counts), and returns their log names with the metric each computes
// (accuracy resolved as Keras's "accuracy" string resolves it). metrics are the
// unweighted metrics: a weighted one also among them is logged as weighted_<name>.
func buildWeightedMetrics(s *graphs.Scope, out *metricOutputs, weighted, metrics []string, t targets, prob, w tf.Output) (map[string]string, error) {
	if len(weighted) == 0 {
		return nil, nil
	}
	kinds := map[string]string{}
	binary := t.kind != configs.LabelsSparse && t.width == 1
	classes := t.kind == configs.LabelsSparse || t.kind == configs.LabelsOneHot || (t.kind == configs.LabelsBinary && t.width > 1)
	for _, m := range weighted {
		name := configs.MetricLogName(m)
		if slices.Contains(metrics, m) {
			name = "weighted_" + name
		}
		ms := s.Sub(name)
		if m == configs.MetricAccuracy {
			m = t.accuracy()
		}
		var v tf.Output
		switch {
		case (m == configs.MetricSparseCategoricalAccuracy || m == configs.MetricCategoricalAccuracy) && classes:
			v = builders.SparseCategoricalMatches(ms, prob, t.ids)
		case m == configs.MetricBinaryAccuracy && t.shaped.Op != nil && t.kind == configs.LabelsBinary:
			v = builders.BinaryMatches(ms, prob, t.shaped)
		case m == configs.MetricAUC && binary && t.kind == configs.LabelsBinary:
			out.counts[name] = builders.WeightedConfusionCounts(ms, prob, t.shaped, tfmetrics.AUCThresholds(tfmetrics.AUCThresholdCount), w)
		case (m == configs.MetricPrecision || m == configs.MetricRecall) && binary && t.kind == configs.LabelsBinary:
			out.counts[name] = builders.WeightedConfusionCounts(ms, prob, t.shaped, []float64{tfmetrics.DefaultThreshold}, w)
		case (m == configs.MetricMeanSquaredError || m == configs.MetricMSE || m == configs.MetricRootMeanSquaredError) && t.shaped.Op != nil:
			v = builders.MeanSquaredError(ms, t.shaped, prob)
		case (m == configs.MetricMeanAbsoluteError || m == configs.MetricMAE) && t.shaped.Op != nil:
			v = builders.MeanAbsoluteError(ms, t.shaped, prob)
		case configs.IsCustomMetric(m):
			yTrue := t.shaped
			if yTrue.Op == nil {
				yTrue = t.ids
			}
			v, _ = builders.CustomMetricValues(ms, m, yTrue, prob)
			if err := ms.Err(); err != nil {
				return nil, assemble.ModelError(err)
			}
		default:
			return nil, assemble.ModelErrorf("weighted metric %q: not one this model's loss can report weighted", m)
		}
		if v.Op != nil {
			out.counts[name] = builders.WeightedMeanCounts(ms, v, w)
		}
		out.names = append(out.names, name)
		kinds[name] = m
	}
	return kinds, nil
}

// counted is a stateful or weighted metric's value from its counts summed over batches.
func (c *Classifier) counted(name string, counts []float64) (float64, error) {
	m, ok := c.weighted[name]
	if !ok {
		return countedValue(name, counts)
	}
	switch {
	case configs.IsConfusionMetric(m):
		return countedValue(configs.MetricLogName(m), counts)
	case m == configs.MetricRootMeanSquaredError:
		v, err := builders.WeightedMeanValue(counts)
		return math.Sqrt(v), err
	}
	return builders.WeightedMeanValue(counts)
}

// feeds are a batch's inputs: the features, the class ids (or targets) and, for a
// classifier that weighs examples, w (nil: every example weighs 1).
func (c *Classifier) feeds(x, y, w *tf.Tensor) (map[tf.Output]*tf.Tensor, error) {
	feeds := map[tf.Output]*tf.Tensor{c.x: x, c.y: y}
	if c.w.Op == nil {
		return feeds, nil
	}
	if w == nil {
		ones := make([]float32, y.Shape()[0])
		for i := range ones {
			ones[i] = 1
		}
		var err error
		if w, err = graphs.NewTensor(ones, int64(len(ones))); err != nil {
			return nil, err
		}
	}
	feeds[c.w] = w
	return feeds, nil
}

// stepWeights are the weights of the training examples at idx: from their classes with
// class_weight, else the data's sample weights; nil when nothing is weighed.
func (t *training) stepWeights(idx []int) (*tf.Tensor, error) {
	var w []float32
	switch {
	case t.classWeights != nil:
		w = make([]float32, len(idx))
		for k, i := range idx {
			w[k] = t.classWeights[int(math.Round(float64(t.train.Labels[i])))]
		}
	case t.train.Weights != nil:
		w = t.train.weights(idx)
	default:
		return nil, nil
	}
	return graphs.NewTensor(w, int64(len(w)))
}

// classWeights resolves train.class_weight for the data's classes (classNames, nil for a
// built-in data set, whose classes are numbered 0..NumClasses-1): one weight per class
// id, 1 for the classes it leaves out; nil without class_weight. A key naming no class
// of the data is a config error (assemble.ErrModelConfig).
func classWeights(cfg *configs.Config, classNames []string) ([]float32, error) {
	cw := cfg.Supervised().Train.ClassWeight
	if len(cw) == 0 {
		return nil, nil
	}
	k := len(classNames)
	if k == 0 {
		k = cfg.Data.NumClasses()
	}
	w, err := cw.Weights(classNames, k)
	if err != nil {
		return nil, assemble.ModelError(fmt.Errorf("%s: train.class_weight: %w", cfg.File, err))
	}
	out := make([]float32, len(w))
	for i, x := range w {
		out[i] = float32(x)
	}
	return out, nil
}

package configs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// softmaxYAML is baseYAML with a three-class softmax output and its loss.
func softmaxYAML(t *testing.T, metrics string) string {
	return edit(t, baseYAML, "{type: Dense, units: 1, activation: sigmoid}", "{type: Dense, units: 3, activation: softmax}",
		"  epochs: 2\n", "  epochs: 2\n  loss: sparse_categorical_crossentropy\n  metrics: "+metrics+"\n")
}

func TestTopKMetricLoad(t *testing.T) {
	tr := mustLoad(t, "topk.yaml", softmaxYAML(t, "[accuracy, {type: TopKCategoricalAccuracy, k: 2}, SparseTopKCategoricalAccuracy]")).Supervised().Train
	if !slices.Equal(tr.Metrics, []string{MetricAccuracy, MetricTopKCategoricalAccuracy, MetricSparseTopKCategoricalAccuracy}) {
		t.Errorf("metrics %v", tr.Metrics)
	}
	if tr.TopK(MetricTopKCategoricalAccuracy) != 2 || tr.TopK(MetricSparseTopKCategoricalAccuracy) != DefaultTopK || DefaultTopK != 5 {
		t.Errorf("k: %d and %d, want 2 and Keras's default 5", tr.TopK(MetricTopKCategoricalAccuracy), tr.TopK(MetricSparseTopKCategoricalAccuracy))
	}
	if got := MetricLogName(MetricSparseTopKCategoricalAccuracy); got != "sparse_top_k_categorical_accuracy" {
		t.Errorf("log name %q", got)
	}
	tr = mustLoad(t, "names.yaml", softmaxYAML(t, "[top_k_categorical_accuracy, {type: sparse_top_k_categorical_accuracy}]")).Supervised().Train
	if tr.TopK(MetricTopKCategoricalAccuracy) != 5 || tr.TopK(MetricSparseTopKCategoricalAccuracy) != 5 {
		t.Errorf("defaults: k %d, %d", tr.TopK(MetricTopKCategoricalAccuracy), tr.TopK(MetricSparseTopKCategoricalAccuracy))
	}
}

func TestTopKMetricErrors(t *testing.T) {
	for _, c := range []struct {
		name, yaml, key string
		want            error
		also            string
	}{
		{"k zero", softmaxYAML(t, "[{type: TopKCategoricalAccuracy, k: 0}]"), "train.metrics[0].k", ErrBadValue, "must be > 0"},
		{"k negative", softmaxYAML(t, "[{type: SparseTopKCategoricalAccuracy, k: -2}]"), "train.metrics[0].k", ErrBadValue, "got -2"},
		{"k float", softmaxYAML(t, "[{type: TopKCategoricalAccuracy, k: 2.5}]"), "train.metrics[0].k", ErrWrongType, "want an integer"},
		{"k string", softmaxYAML(t, "[{type: TopKCategoricalAccuracy, k: three}]"), "train.metrics[0].k", ErrWrongType, ""},
		{"unknown argument", softmaxYAML(t, "[{type: TopKCategoricalAccuracy, k: 2, name: top2}]"), "train.metrics[0].name", ErrUnknownKey, "valid: type, k"},
		{"no type", softmaxYAML(t, "[{k: 2}]"), "train.metrics[0].type", ErrMissingKey, ""},
		{"arguments for another metric", softmaxYAML(t, "[{type: AUC, num_thresholds: 10}]"), "train.metrics[0]", ErrBadValue, "takes no arguments here"},
		{"unknown metric type", softmaxYAML(t, "[{type: TopKAccuracy, k: 2}]"), "train.metrics[0].type", ErrBadValue, "unknown \"TopKAccuracy\""},
		{"twice", softmaxYAML(t, "[top_k_categorical_accuracy, {type: TopKCategoricalAccuracy, k: 2}]"), "train.metrics[1]", ErrBadValue, "given twice"},
		{"binary labels", edit(t, baseYAML, "  epochs: 2\n", "  epochs: 2\n  metrics: [top_k_categorical_accuracy]\n"), "train.metrics[0]", ErrBadValue, "class labels and one probability per class"},
		{"regression", edit(t, baseYAML, "{type: Dense, units: 1, activation: sigmoid}", "{type: Dense, units: 1}",
			"  epochs: 2\n", "  epochs: 2\n  loss: mse\n  metrics: [{type: TopKCategoricalAccuracy, k: 1}]\n"), "train.metrics[0]", ErrBadValue, "regression loss"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "case.yaml", c.yaml))
			var e *Error
			if !errors.As(err, &e) || e.Key != c.key || !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.also) {
				t.Errorf("error %v; want %v at %s containing %q", err, c.want, c.key, c.also)
			}
		})
	}
}

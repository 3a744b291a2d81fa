package configs

import "strings"

// Keras's top-k accuracies: whether the label is among the k highest-scored classes
// (keras.metrics.TopKCategoricalAccuracy on one-hot labels, SparseTopKCategoricalAccuracy
// on class ids; tfrun computes either from the class ids, as its categorical_accuracy).
// train.metrics takes their names (k 5, Keras's default), their class names, or a mapping
// with k: `{type: TopKCategoricalAccuracy, k: 3}`.
const (
	MetricTopKCategoricalAccuracy       = "top_k_categorical_accuracy"
	MetricSparseTopKCategoricalAccuracy = "sparse_top_k_categorical_accuracy"
	// DefaultTopK is keras.metrics.TopKCategoricalAccuracy's k.
	DefaultTopK = 5
)

// IsTopKMetric reports whether a metric is one of the top-k accuracies.
func IsTopKMetric(metric string) bool {
	return metric == MetricTopKCategoricalAccuracy || metric == MetricSparseTopKCategoricalAccuracy
}

// topKClassNames maps Keras's class names of the top-k metrics, lower-cased, to their
// metric names.
var topKClassNames = map[string]string{
	"topkcategoricalaccuracy":       MetricTopKCategoricalAccuracy,
	"sparsetopkcategoricalaccuracy": MetricSparseTopKCategoricalAccuracy,
}

// TopK is the k of a top-k metric in train.metrics (DefaultTopK unless a mapping gave k).
func (t Train) TopK(metric string) int {
	if k, ok := t.topK[metric]; ok {
		return k
	}
	return DefaultTopK
}

// metricArgs rewrites the items of raw's train.metrics that are Keras class names or
// mappings with arguments ({type: TopKCategoricalAccuracy, k: 3}) into metric names, and
// returns the k each top-k metric was given.
func (d *decoder) metricArgs(raw map[string]any) (map[string]any, map[string]int, error) {
	train, _ := raw["train"].(map[string]any)
	list, ok := train["metrics"].([]any)
	if !ok {
		return raw, nil, nil
	}
	out, ks, err := d.metricList("train.metrics", list)
	if err != nil {
		return nil, nil, err
	}
	train = cloneMap(train)
	train["metrics"] = out
	raw = cloneMap(raw)
	raw["train"] = train
	return raw, ks, nil
}

// metricList is metricArgs for one list of metrics at path: the list with metric names
// for class names and mappings, and the k each top-k metric was given.
func (d *decoder) metricList(path string, list []any) ([]any, map[string]int, error) {
	out := make([]any, len(list))
	ks := map[string]int{}
	for i, item := range list {
		out[i] = item
		p := indexPath(path, i)
		if s, ok := item.(string); ok {
			if name, ok := topKClassNames[strings.ToLower(s)]; ok {
				out[i] = name
			}
			continue
		}
		m, ok := item.(map[string]any)
		if !ok {
			continue // the decoder's "want a string"
		}
		typ, ok := m["type"].(string)
		name, known := topKClassNames[strings.ToLower(typ)]
		if !known {
			if name, known = canonical(typ, []string{MetricTopKCategoricalAccuracy, MetricSparseTopKCategoricalAccuracy}); !known {
				if !ok {
					return nil, nil, d.missing(p+".type", " (a metric with arguments: {type: TopKCategoricalAccuracy, k: 3})")
				}
				if _, ok := canonical(typ, MetricNames()); !ok {
					return nil, nil, d.bad(p+".type", "unknown %q (valid: %s)", typ, strings.Join(MetricNames(), ", "))
				}
				return nil, nil, d.bad(p, "%q takes no arguments here: give its name as a string; a mapping is for TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy, which take k", typ)
			}
		}
		if err := d.knownKeys(p, m, []string{"type", "k"}, " for "+typ); err != nil {
			return nil, nil, err
		}
		k := DefaultTopK
		if raw, given := m["k"]; given {
			n, ok := asInt(raw)
			if !ok {
				return nil, nil, d.wrongType(p+".k", "an integer", raw)
			}
			if n <= 0 {
				return nil, nil, d.bad(p+".k", "must be > 0 (how many of the highest-scored classes count), got %d", n)
			}
			k = int(n)
		}
		out[i], ks[name] = name, k
	}
	return out, ks, nil
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

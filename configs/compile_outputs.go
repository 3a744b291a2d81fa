package configs

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Model.compile's arguments by output name (docs/guide/multi_io.md): train.loss,
// train.metrics and train.weighted_metrics may map each of the model's outputs to its own
// loss or metrics, and train.loss_weights weighs each output's loss in the one minimized,
// loss = Σ loss_weights[o]·loss_o, as Keras's compile takes them:
//
//	train:
//	  loss: {class: sparse_categorical_crossentropy, value: mse}
//	  loss_weights: {class: 1.0, value: 0.5}
//	  metrics: {class: [accuracy], value: [mae]}
//
// A model with one output takes them too (its output's name as the only key): they then
// mean train.loss, train.metrics and a weight of its loss.

// PerOutput holds the train keys given by output name, as decoded (keys lower case, as
// YAML keys are matched case-insensitively) and, after Validate, by the output's name.
type PerOutput struct {
	// Losses is train.loss as a mapping from output name to loss; nil when train.loss is
	// one loss (which applies to every output, as Keras maps a single loss).
	Losses map[string]Loss
	// LossWeights is train.loss_weights; nil: every output weighs 1.
	LossWeights map[string]float64
	// Metrics and WeightedMetrics are train.metrics and train.weighted_metrics as
	// mappings; nil when given as lists (or not at all).
	Metrics, WeightedMetrics map[string][]string
	// metricsGiven records whether train.metrics was given in any form (its default
	// depends on the resolved loss).
	metricsGiven bool
}

// outputArgs takes out of raw's train section the keys given by output name: train.loss
// when it is a mapping without type whose values are losses (a mapping with type is one
// loss with arguments; {delta: 2.0} one whose type is missing),
// train.metrics and train.weighted_metrics when they are mappings, and
// train.loss_weights. It returns raw without them and what they hold, and the k of each
// top-k metric they give.
func (d *decoder) outputArgs(raw map[string]any) (map[string]any, PerOutput, map[string]int, error) {
	var po PerOutput
	train, ok := raw["train"].(map[string]any)
	if !ok {
		return raw, po, nil, nil
	}
	_, po.metricsGiven = train["metrics"]
	train = cloneMap(train)
	ks := map[string]int{}
	if r, ok := train["loss"]; ok {
		if m, isMap := asMapping(r); isMap {
			if _, typed := m["type"]; !typed && lossesByName(m) {
				po.Losses = map[string]Loss{}
				for _, name := range sortedKeys(m) {
					var l Loss
					if err := d.loss(join("train.loss", name), m[name], &l); err != nil {
						return nil, po, nil, err
					}
					po.Losses[name] = l
				}
				if len(po.Losses) == 0 {
					return nil, po, nil, d.bad("train.loss", "an empty mapping; give a loss (loss: mse) or one per output name ({class: sparse_categorical_crossentropy, value: mse})")
				}
				delete(train, "loss")
			}
		}
	}
	for _, key := range []string{"metrics", "weighted_metrics"} {
		r, ok := train[key]
		if !ok {
			continue
		}
		m, isMap := asMapping(r)
		if !isMap {
			continue
		}
		by := map[string][]string{}
		for _, name := range sortedKeys(m) {
			p := join("train."+key, name)
			var list []any
			switch x := m[name].(type) {
			case nil:
			case string:
				list = []any{x}
			case []any:
				list = x
			default:
				return nil, po, nil, d.wrongType(p, "a list of metrics (or one metric's name)", m[name])
			}
			out, k, err := d.metricList(p, list)
			if err != nil {
				return nil, po, nil, err
			}
			for metric, n := range k {
				if old, seen := ks[metric]; seen && old != n {
					return nil, po, nil, d.bad(p, "%s with k %d, but another output's has k %d; give one k per top-k metric", metric, n, old)
				}
				ks[metric] = n
			}
			names := make([]string, len(out))
			for i, item := range out {
				s, ok := item.(string)
				if !ok {
					return nil, po, nil, d.wrongType(indexPath(p, i), "a metric's name", item)
				}
				if canon, ok := canonical(s, MetricNames()); ok {
					s = canon
				}
				names[i] = s
			}
			by[name] = names
		}
		if key == "metrics" {
			po.Metrics = by
		} else {
			po.WeightedMetrics = by
		}
		delete(train, key)
	}
	if r, ok := train["loss_weights"]; ok {
		m, err := d.mapping("train.loss_weights", r, " from output names to weights, e.g. {class: 1.0, value: 0.5}")
		if err != nil {
			return nil, po, nil, err
		}
		po.LossWeights = map[string]float64{}
		for _, name := range sortedKeys(m) {
			w, ok := asFloat(m[name])
			if !ok {
				return nil, po, nil, d.wrongType(join("train.loss_weights", name), "a number", m[name])
			}
			po.LossWeights[name] = w
		}
		delete(train, "loss_weights")
	}
	raw = cloneMap(raw)
	raw["train"] = train
	return raw, po, ks, nil
}

// lossesByName reports whether a train.loss mapping without type maps output names to
// losses (every value a loss's name or mapping) rather than being one loss whose type is
// missing ({delta: 2.0}, the loss's own error).
func lossesByName(m map[string]any) bool {
	for _, v := range m {
		if _, isName := v.(string); isName {
			continue
		}
		if _, isMap := asMapping(v); !isMap {
			return false
		}
	}
	return true
}

// asMapping returns raw as a mapping with lower-case keys, if it is one.
func asMapping(raw any) (map[string]any, bool) {
	switch m := raw.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[strings.ToLower(fmt.Sprint(k))] = v
		}
		return out, true
	}
	return nil, false
}

// OutputNames are the names of the model's outputs, as Keras's model.output_names: a
// functional model's model.outputs (default: its last layer's name), a Sequential
// stack's last layer's name.
func (m *Model) OutputNames() []string {
	if m.Functional() && len(m.Outputs) > 0 {
		return slices.Clone(m.Outputs)
	}
	if len(m.Layers) == 0 {
		return nil
	}
	names := defaultLayerNames(m.Layers)
	return []string{names[len(names)-1]}
}

// compileOutputs checks the train keys given by output name against the model's outputs
// and resolves their keys to the outputs' names. For a model of one output it folds them
// into train.loss and train.metrics (and keeps the loss's weight); for several it fills
// each output's loss and default metrics.
func (c *checker) compileOutputs(m *Model, t *Train) error {
	outs := m.OutputNames()
	t.outputs = outs
	po := &t.PerOutput
	// resolve maps a mapping's keys (lower case) to the outputs' names.
	resolve := func(key string, keys []string) (map[string]string, error) {
		got := map[string]string{}
		for _, k := range keys {
			var match []string
			for _, o := range outs {
				if strings.EqualFold(o, k) {
					match = append(match, o)
				}
			}
			switch len(match) {
			case 0:
				return nil, c.bad(join(key, k), "not an output of the model (outputs: %s)", strings.Join(outs, ", "))
			case 1:
				got[k] = match[0]
			default:
				return nil, c.bad(join(key, k), "matches outputs %s, which differ only in case (YAML keys are matched case-insensitively); rename one", strings.Join(match, " and "))
			}
		}
		return got, nil
	}
	if po.Losses != nil {
		names, err := resolve("train.loss", sortedKeys(po.Losses))
		if err != nil {
			return err
		}
		losses := map[string]Loss{}
		for k, l := range po.Losses {
			if err := c.loss(join("train.loss", k), &l); err != nil {
				return err
			}
			losses[names[k]] = l
		}
		for _, o := range outs {
			if _, ok := losses[o]; !ok {
				return c.missing(join("train.loss", strings.ToLower(o)), fmt.Sprintf(": a loss mapping names every output (outputs: %s), as Keras's compile requires", strings.Join(outs, ", ")))
			}
		}
		po.Losses = losses
	}
	if po.LossWeights != nil {
		names, err := resolve("train.loss_weights", sortedKeys(po.LossWeights))
		if err != nil {
			return err
		}
		ws := map[string]float64{}
		for k, w := range po.LossWeights {
			if math.IsNaN(w) || math.IsInf(w, 0) {
				return c.bad(join("train.loss_weights", k), "must be a finite number, got %g", w)
			}
			ws[names[k]] = w
		}
		for _, o := range outs {
			if _, ok := ws[o]; !ok {
				return c.missing(join("train.loss_weights", strings.ToLower(o)), fmt.Sprintf(": loss_weights names every output (outputs: %s), one weight per loss as Keras's compile requires", strings.Join(outs, ", ")))
			}
		}
		po.LossWeights = ws
	}
	for _, mm := range []struct {
		key string
		by  *map[string][]string
	}{{"train.metrics", &po.Metrics}, {"train.weighted_metrics", &po.WeightedMetrics}} {
		if *mm.by == nil {
			continue
		}
		names, err := resolve(mm.key, sortedKeys(*mm.by))
		if err != nil {
			return err
		}
		by := map[string][]string{}
		for k, ms := range *mm.by {
			by[names[k]] = ms
		}
		*mm.by = by
	}
	if len(outs) > 1 {
		for _, o := range outs {
			for i, m := range po.Metrics[o] {
				p := indexPath(join("train.metrics", strings.ToLower(o)), i)
				if err := firstErr([]error{c.oneOf(p, m, MetricNames()), c.metricFitsLoss(p, m, t.OutputLoss(o))}); err != nil {
					return err
				}
			}
		}
		switch {
		case po.Metrics == nil && len(t.Metrics) > 0 && po.metricsGiven:
			return c.bad("train.metrics", "%v: a list, but the model has %d outputs (%s); give a mapping by output name, e.g. {%s: [accuracy]}, as Keras 3 requires",
				t.Metrics, len(outs), strings.Join(outs, ", "), outs[0])
		case po.WeightedMetrics == nil && len(t.WeightedMetrics) > 0:
			return c.bad("train.weighted_metrics", "%v: a list, but the model has %d outputs (%s); give a mapping by output name", t.WeightedMetrics, len(outs), strings.Join(outs, ", "))
		case len(t.ClassWeight) > 0:
			return c.bad("train.class_weight", "the model has %d outputs (%s); Keras supports class_weight only for a model of one output: weigh rows with data.sample_weight", len(outs), strings.Join(outs, ", "))
		}
		return nil
	}
	if len(outs) == 0 {
		return nil // no layers: the model's own error
	}
	// One output: the mappings are train.loss and train.metrics.
	o := outs[0]
	if l, ok := po.Losses[o]; ok {
		t.Loss = l
		po.Losses = nil
		if !po.metricsGiven && l.Regression() {
			t.Metrics = []string{} // as for a regression loss given alone
		}
	}
	if po.Metrics != nil {
		t.Metrics = slices.Clone(po.Metrics[o])
		if t.Metrics == nil {
			t.Metrics = []string{}
		}
		po.Metrics = nil
	}
	if po.WeightedMetrics != nil {
		t.WeightedMetrics = slices.Clone(po.WeightedMetrics[o])
		po.WeightedMetrics = nil
	}
	return nil
}

// ResolveOutputs checks t's train keys by output name against model m's outputs and
// resolves them, as Validate does, for a Train built in Go.
func (t *Train) ResolveOutputs(m *Model) error { return (&checker{}).compileOutputs(m, t) }

// LossWeight is the weight of output's loss in the loss minimized (train.loss_weights;
// default 1).
func (t Train) LossWeight(output string) float64 {
	if w, ok := t.PerOutput.LossWeights[output]; ok {
		return w
	}
	return 1
}

// Outputs are the model's output names (set by Validate).
func (t Train) Outputs() []string { return slices.Clone(t.outputs) }

// OutputLoss is output's loss: its entry of a train.loss mapping, or train.loss.
func (t Train) OutputLoss(output string) Loss {
	if l, ok := t.PerOutput.Losses[output]; ok {
		return l
	}
	return t.Loss
}

// OutputMetrics are output's compiled metrics: its entry of a train.metrics mapping, or
// by default accuracy for a classification loss and none for a regression one (tfrun's
// single-output default, per output).
func (t Train) OutputMetrics(output string) []string {
	if t.PerOutput.Metrics != nil {
		return slices.Clone(t.PerOutput.Metrics[output])
	}
	if len(t.outputs) <= 1 {
		return slices.Clone(t.Metrics)
	}
	if t.OutputLoss(output).Regression() {
		return nil
	}
	return []string{MetricAccuracy}
}

// LogNames are the names of the quantities the training logs, Keras's: with one output,
// loss and the metrics' log names; with several, loss, then each output's
// <output>_loss and <output>_<metric>. Validation logs each with val_ too.
func (t Train) LogNames() []string {
	if len(t.outputs) <= 1 {
		out := []string{MonitorLoss}
		for _, m := range t.Metrics {
			out = append(out, MetricLogName(m))
		}
		return out
	}
	out := []string{MonitorLoss}
	for _, o := range t.outputs {
		out = append(out, o+"_loss")
		for _, m := range t.OutputMetrics(o) {
			out = append(out, o+"_"+MetricLogName(m))
		}
	}
	return out
}

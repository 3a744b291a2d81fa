package tfrun

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
)

// A functional model of several inputs or several outputs (docs/guide/multi_io.md) takes
// its data by name, as Keras's dict inputs: Data.Inputs and Data.Outputs. It compiles a
// loss per output (OutputLoss, or one Loss for every output), weighs them (LossWeights)
// and logs Keras's names: loss (the weighted sum), <output>_loss, <output>_<metric>.

// multi reports whether the model has several inputs or outputs.
func (m *Model) multi() bool { return len(m.def.Inputs) > 1 || len(m.def.Outputs) > 1 }

// OutputLoss is output's loss in Model.compile's loss mapping, loss={output: name}: a
// Keras loss by name (or a registered custom one) with its arguments. Outputs without an
// OutputLoss take Loss's (default binary_crossentropy), as Keras maps a single loss over
// the outputs.
func OutputLoss(output, name string, args ...ArgValue) CompileOption {
	return func(c *compiled) error {
		one := &compiled{}
		if err := Loss(name, args...)(one); err != nil {
			return fmt.Errorf("output %q: %w", output, err)
		}
		if c.outputLosses == nil {
			c.outputLosses = map[string]configs.Loss{}
		}
		c.outputLosses[output] = one.loss
		return nil
	}
}

// LossWeights is Model.compile's loss_weights: the weight of each output's loss in the
// loss minimized, Σ weight·loss_o. It names every output (Keras's rule). Default: 1 each.
func LossWeights(w map[string]float64) CompileOption {
	return func(c *compiled) error {
		c.lossWeights = maps.Clone(w)
		return nil
	}
}

// OutputMetrics are output's metrics in Model.compile's metrics mapping,
// metrics={output: [names...]}, logged as <output>_<metric>. An output without
// OutputMetrics has none once any output has some; with none given, each output has
// tfrun's single-output default (accuracy for a classification loss).
func OutputMetrics(output string, names ...string) CompileOption {
	return func(c *compiled) error {
		ms, err := canonicalMetrics("output "+output+" metrics", names)
		if err != nil {
			return err
		}
		if c.outputMetrics == nil {
			c.outputMetrics = map[string][]string{}
		}
		c.outputMetrics[output] = ms
		return nil
	}
}

// multiConfig is config(t) with the per-output compile settings, resolved against the
// model's outputs as configs resolves a YAML's.
func (m *Model) multiConfig(t configs.Train) (*configs.Config, error) {
	cfg := m.config(t)
	sup := cfg.Supervised()
	c := m.compiled
	sup.Train.PerOutput = configs.PerOutput{Losses: maps.Clone(c.outputLosses), LossWeights: maps.Clone(c.lossWeights)}
	if c.outputMetrics != nil {
		sup.Train.PerOutput.Metrics = map[string][]string{}
		for o, ms := range c.outputMetrics {
			sup.Train.PerOutput.Metrics[o] = slices.Clone(ms)
		}
	}
	if c.outputLosses != nil { // every output not named takes Loss, as Keras maps one loss
		for _, o := range sup.Model.Outputs {
			if _, ok := sup.Train.PerOutput.Losses[o]; !ok {
				sup.Train.PerOutput.Losses[o] = c.loss
			}
		}
	}
	if err := sup.Train.ResolveOutputs(&sup.Model); err != nil {
		return nil, err
	}
	return cfg, nil
}

// examples checks d, the data of a model of several inputs or outputs, and returns it as
// the classifier's examples (labels copied into float32); labels false drops Outputs.
func (d Data) examples(what string, labels bool) (*classifier.Examples, error) {
	if d.Batches != nil {
		return nil, fmt.Errorf("%s: a batch has no Batches of its own", what)
	}
	if d.X.values() > 0 || d.Y.values() > 0 || d.X.Shape != nil || d.Y.Shape != nil {
		return nil, fmt.Errorf("%s: a model of several inputs or outputs takes Data.Inputs and Data.Outputs, by name, not X and Y", what)
	}
	if d.SampleWeight != nil {
		return nil, fmt.Errorf("%s: sample weights with several inputs or outputs are not supported from Go yet", what)
	}
	if len(d.Inputs) == 0 {
		return nil, fmt.Errorf("%s: no Inputs", what)
	}
	e := &classifier.Examples{Inputs: map[string]classifier.Tensor{}}
	n := -1
	add := func(kind, name string, a Array, label bool) (classifier.Tensor, error) {
		at := fmt.Sprintf("%s.%s[%q]", what, kind, name)
		if err := a.check(at); err != nil {
			return classifier.Tensor{}, err
		}
		if label && len(a.Shape) > 1 {
			return classifier.Tensor{}, fmt.Errorf("%s: shape %v: labels are one number or a vector (k) per example", at, a.Shape)
		}
		switch {
		case a.Len() == 0:
			return classifier.Tensor{}, fmt.Errorf("%s: no examples", at)
		case n >= 0 && a.Len() != n:
			return classifier.Tensor{}, fmt.Errorf("%s: %d examples, the others have %d", at, a.Len(), n)
		}
		n = a.Len()
		t := classifier.Tensor{Shape: builders.Shape(slices.Clone(a.Shape)), Floats: a.Floats, Ints: a.Ints}
		if t.Shape == nil {
			t.Shape = builders.Shape{}
		}
		if label && a.Ints != nil {
			t.Floats, t.Ints = make([]float32, len(a.Ints)), nil
			for i, v := range a.Ints {
				t.Floats[i] = float32(v)
			}
		}
		return t, nil
	}
	for _, name := range slices.Sorted(maps.Keys(d.Inputs)) {
		t, err := add("Inputs", name, d.Inputs[name], false)
		if err != nil {
			return nil, err
		}
		e.Inputs[name] = t
	}
	if !labels {
		return e, nil
	}
	if len(d.Outputs) == 0 {
		return nil, fmt.Errorf("%s: no Outputs (the labels, by output name)", what)
	}
	e.Labels = map[string]classifier.Tensor{}
	for _, name := range slices.Sorted(maps.Keys(d.Outputs)) {
		t, err := add("Outputs", name, d.Outputs[name], true)
		if err != nil {
			return nil, err
		}
		e.Labels[name] = t
	}
	return e, nil
}

// signature describes the examples a model of several inputs or outputs was built for.
func signature(e *classifier.Examples) string {
	var b strings.Builder
	for _, group := range []map[string]classifier.Tensor{e.Inputs, e.Labels} {
		for _, name := range slices.Sorted(maps.Keys(group)) {
			t := group[name]
			fmt.Fprintf(&b, "%s %v %s; ", name, []int(t.Shape), kind(t.Ints != nil))
		}
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// buildMulti builds the graph of a model of several inputs or outputs for examples like
// e's (labels included: their shapes decide the losses' targets).
func (m *Model) buildMulti(e *classifier.Examples, batchSize int) error {
	if m.compiled == nil {
		return ErrNotCompiled
	}
	for _, group := range []struct {
		what  string
		names []string
		by    map[string]classifier.Tensor
	}{{"input", inputNames(m.def.Inputs), e.Inputs}, {"output", m.def.Outputs, e.Labels}} {
		if group.by == nil {
			continue
		}
		for _, name := range group.names {
			if _, ok := group.by[name]; !ok {
				return fmt.Errorf("no data for the model's %s %q (data has %v)", group.what, name, slices.Sorted(maps.Keys(group.by)))
			}
		}
		for name := range group.by {
			if !slices.Contains(group.names, name) {
				return fmt.Errorf("data for %s %q, which the model lacks (its %ss: %v)", group.what, name, group.what, group.names)
			}
		}
	}
	sig := signature(e)
	if m.mo != nil {
		if sig != m.moSig {
			return fmt.Errorf("the model was built for %s; got %s", m.moSig, sig)
		}
		return nil
	}
	if e.Labels == nil {
		return fmt.Errorf("%w (a model of several inputs or outputs is built by Fit or Evaluate, which know its labels' shapes)", ErrNotBuilt)
	}
	t := m.train()
	t.BatchSize = batchSize
	cfg, err := m.multiConfig(t)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	c, err := classifier.MultiFromExamples(cfg, e, m.compiled.seed, m.compiled.threads)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	m.mo, m.moSig, m.adapted = c, sig, false
	m.moIO = export.ArraysIO{Inputs: map[string]builders.Shape{}, IntInputs: map[string]bool{}, Labels: map[string]builders.Shape{}}
	for name, t := range e.Inputs {
		m.moIO.Inputs[name], m.moIO.IntInputs[name] = slices.Clone(t.Shape), t.Ints != nil
	}
	for name, t := range e.Labels {
		m.moIO.Labels[name] = slices.Clone(t.Shape)
	}
	return nil
}

// evaluateMulti is Evaluate for a model of several inputs or outputs.
func (m *Model) evaluateMulti(ctx context.Context, data Data, batchSize int) (Logs, error) {
	e, err := data.examples("evaluate: data", true)
	if err != nil {
		return nil, err
	}
	if err := m.buildMulti(e, batchSize); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	return m.mo.Evaluate(e, batchSize)
}

// PredictOutputs returns each output's values for the inputs (by name) in inference mode,
// by output name (Keras's predict of a model with dict outputs): one row of the output's
// shape per example. The model must have been built by Fit or Evaluate. It takes
// BatchSize and Steps (the first n batches). A model of one input and one output predicts with Predict.
func (m *Model) PredictOutputs(ctx context.Context, inputs map[string]Array, opts ...FitOption) (map[string]Array, error) {
	if m.compiled == nil {
		return nil, fmt.Errorf("predict: %w", ErrNotCompiled)
	}
	if !m.multi() {
		return nil, fmt.Errorf("predict: the model has one input and one output: use Predict")
	}
	s, err := settings("predict", m.train(), opts, "BatchSize", "Steps")
	if err != nil {
		return nil, err
	}
	if s.steps > 0 {
		inputs = Data{Inputs: inputs}.head(s.steps * s.batchSize).Inputs
	}
	e, err := Data{Inputs: inputs}.examples("predict: inputs", false)
	if err != nil {
		return nil, err
	}
	if m.mo == nil {
		return nil, fmt.Errorf("predict: %w", ErrNotBuilt)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	got, err := m.mo.Predict(e, s.batchSize)
	if err != nil {
		return nil, err
	}
	shapes := m.mo.Model.OutputShapes()
	out := map[string]Array{}
	for i, name := range m.mo.Model.Outputs {
		a := Array{Shape: []int(shapes[i]), Floats: make([]float32, len(got[name]))}
		for j, v := range got[name] {
			a.Floats[j] = float32(v)
		}
		out[name] = a
	}
	return out, nil
}

// inputNames are the inputs' names, in configs' order.
func inputNames(ins configs.Inputs) []string {
	var out []string
	for _, in := range ins {
		out = append(out, in.Name)
	}
	return out
}

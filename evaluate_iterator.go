package tfrun

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tfrun/tfrun/classifier"
)

// Evaluate and predict take data from a Go iterator (Data.Batches, FromIterator) as Fit
// does, through the same batchSource and feeders: Keras's evaluate(x=dataset, steps=)
// and predict(x=dataset, steps=). The iterator is called once (epoch 0) and pulled until
// it ends or Steps batches were taken; every batch is checked against the first (which
// builds a model not built yet) and against the model, an error naming the batch.

// Steps is Keras's evaluate and predict steps: stop after n batches. Of an iterator
// (Data.Batches), its first n batches, fewer if it ends first (an endless iterator needs
// Steps); of arrays, the first n batches of BatchSize examples.
func Steps(n int) FitOption {
	return named("Steps", func(s *fitSettings) error {
		if n <= 0 {
			return fmt.Errorf("steps: %d: want > 0", n)
		}
		s.steps = n
		return nil
	})
}

// iterated checks data, which has Batches, for arrays given too and for options an
// iterator does not take (BatchSize: Keras refuses batch_size for a dataset, whose
// batches are its own), and returns its batch source for a single pass, named what.
func iterated(what string, data Data, s *fitSettings) (*batchSource, error) {
	if data.hasArrays() {
		return nil, fmt.Errorf("%s: data: give Batches (an iterator) or arrays, not both", what)
	}
	if contains(s.set, "BatchSize") {
		return nil, fmt.Errorf("%s: BatchSize: the iterator's batches are its own (Keras refuses batch_size for a dataset)", what)
	}
	return &batchSource{batches: data.Batches, what: what + ": data", once: true, epoch: -1}, nil
}

// hasArrays reports whether d holds arrays (X, Y, Inputs, Outputs or SampleWeight).
func (d Data) hasArrays() bool {
	return d.X.Shape != nil || d.X.values() > 0 || d.Y.Shape != nil || d.Y.values() > 0 || d.Inputs != nil || d.Outputs != nil || d.SampleWeight != nil
}

// gather pulls the source's batches, steps of them at most (0: until it ends).
func (src *batchSource) gather(ctx context.Context, steps int) (bs []Batch, ats []string, err error) {
	err = src.each(ctx, steps, func(b Batch, at string) error {
		bs, ats = append(bs, b), append(ats, at)
		return nil
	})
	return bs, ats, err
}

// evaluateFed is Evaluate on data from an iterator: its batches (Steps of them at most)
// are gathered, checked as Fit's validation batches are, and evaluated together in
// batches of the first one's size, so an iterator of equal batches gives what Evaluate on
// the same examples as arrays with that BatchSize gives.
func (m *Model) evaluateFed(ctx context.Context, data Data, s *fitSettings) (Logs, error) {
	src, err := iterated("evaluate", data, s)
	if err != nil {
		return nil, err
	}
	defer src.close()
	bs, ats, err := src.gather(ctx, s.steps)
	if err != nil {
		return nil, err
	}
	first := bs[0]
	if m.multi() {
		e, err := first.examples(ats[0], true)
		if err != nil {
			return nil, err
		}
		if err := m.buildMulti(e, e.Len()); err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
		f := &multiFeeder{first: e, val: &classifier.Examples{}}
		if err := f.putAll(bs, ats); err != nil {
			return nil, err
		}
		return m.mo.Evaluate(f.val, e.Len())
	}
	ds, err := first.dataset(ats[0])
	if err != nil {
		return nil, err
	}
	if err := m.build(first.X, max(ds.LabelWidth, 1), ds.Len(), first.SampleWeight != nil); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	f := &oneFeeder{m: m, val: &classifier.Dataset{}}
	if err := f.putAll(bs, ats); err != nil {
		return nil, err
	}
	return m.c.EvaluateLogs(f.val, ds.Len())
}

// PredictBatches returns the model's outputs for the examples X of the batches data's
// iterator (Data.Batches, FromIterator) yields, in order (Keras's predict(x=dataset,
// steps=)): each batch is predicted as one batch, as it comes, so only the outputs are
// kept. Y and SampleWeight are not used. It takes Steps (stop after n batches; an
// endless iterator needs it) and checks ctx between two batches. A batch of another
// example shape or type than the model's stops it with an error naming the batch; the
// first builds a model not built yet. A model of several inputs or outputs predicts with
// PredictOutputsBatches.
func (m *Model) PredictBatches(ctx context.Context, data Data, opts ...FitOption) (Array, error) {
	if m.compiled == nil {
		return Array{}, fmt.Errorf("predict: %w", ErrNotCompiled)
	}
	if m.multi() {
		return Array{}, fmt.Errorf("predict: the model has several inputs or outputs: use PredictOutputsBatches")
	}
	src, steps, err := m.predictSource(data, opts)
	if err != nil {
		return Array{}, err
	}
	defer src.close()
	var out Array
	err = src.each(ctx, steps, func(b Batch, at string) error {
		if b.Inputs != nil {
			return fmt.Errorf("%s: Inputs are for a model of several inputs; this one takes X", at)
		}
		ds, err := unlabelled(b.X)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		if m.c != nil && (!slices.Equal(b.X.Shape, m.in) || (b.X.Ints != nil) != m.ints) {
			return fmt.Errorf("%s: X: examples of shape %v (%s), but the model takes %v (%s)", at, b.X.Shape, kind(b.X.Ints != nil), m.in, kind(m.ints))
		}
		if err := m.build(b.X, 0, ds.Len(), false); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		probs, err := m.c.Predict(ds, ds.Len())
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		out.Shape = []int(m.c.Model.OutputShape())
		for _, p := range probs {
			out.Floats = append(out.Floats, float32(p))
		}
		return nil
	})
	if err != nil {
		return Array{}, err
	}
	return out, nil
}

// PredictOutputsBatches is PredictBatches for a model of several inputs or outputs: the
// batches' Inputs by name (Outputs are not used), each output's values by name, as
// PredictOutputs gives them. The model must have been built by Fit or Evaluate.
func (m *Model) PredictOutputsBatches(ctx context.Context, data Data, opts ...FitOption) (map[string]Array, error) {
	if m.compiled == nil {
		return nil, fmt.Errorf("predict: %w", ErrNotCompiled)
	}
	if !m.multi() {
		return nil, fmt.Errorf("predict: the model has one input and one output: use PredictBatches")
	}
	if m.mo == nil {
		return nil, fmt.Errorf("predict: %w", ErrNotBuilt)
	}
	src, steps, err := m.predictSource(data, opts)
	if err != nil {
		return nil, err
	}
	defer src.close()
	shapes := m.mo.Model.OutputShapes()
	out := map[string]Array{}
	for i, name := range m.mo.Model.Outputs {
		out[name] = Array{Shape: []int(shapes[i])}
	}
	err = src.each(ctx, steps, func(b Batch, at string) error {
		if b.X.Shape != nil || b.X.values() > 0 {
			return fmt.Errorf("%s: a model of several inputs takes Inputs by name, not X", at)
		}
		e, err := Data{Inputs: b.Inputs}.examples(at, false)
		if err != nil {
			return err
		}
		want := m.moIO.Inputs
		if !slices.Equal(slices.Sorted(maps.Keys(e.Inputs)), slices.Sorted(maps.Keys(want))) {
			return fmt.Errorf("%s: Inputs %v, but the model's are %v", at, slices.Sorted(maps.Keys(e.Inputs)), slices.Sorted(maps.Keys(want)))
		}
		for name, t := range e.Inputs {
			if !slices.Equal(t.Shape, want[name]) || (t.Ints != nil) != m.moIO.IntInputs[name] {
				return fmt.Errorf("%s: Inputs[%q]: examples of shape %v (%s), but the model takes %v (%s)", at, name, []int(t.Shape), kind(t.Ints != nil), []int(want[name]), kind(m.moIO.IntInputs[name]))
			}
		}
		got, err := m.mo.Predict(e, e.Len())
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		for name, vs := range got {
			a := out[name]
			for _, v := range vs {
				a.Floats = append(a.Floats, float32(v))
			}
			out[name] = a
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// predictSource checks predict's data and options and returns its batch source and Steps.
func (m *Model) predictSource(data Data, opts []FitOption) (*batchSource, int, error) {
	s, err := settings("predict", m.train(), opts, "Steps")
	if err != nil {
		return nil, 0, err
	}
	if data.Batches == nil {
		return nil, 0, fmt.Errorf("predict: data: no Batches (an iterator; Predict and PredictOutputs take arrays)")
	}
	src, err := iterated("predict", data, s)
	return src, s.steps, err
}

// each calls f on the source's batches, steps of them at most (0: until it ends),
// checking ctx before each pull. An iterator that yields nothing is an error.
func (src *batchSource) each(ctx context.Context, steps int, f func(b Batch, at string) error) error {
	src.begin(0)
	n := 0
	for steps <= 0 || n < steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: after %d batches: %w", src.what, n, err)
		}
		b, at, ok, err := src.pull()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if b.Batches != nil {
			return fmt.Errorf("%s: a batch has no Batches of its own", at)
		}
		if err := f(b, at); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: the iterator yielded no batches", src.what)
	}
	return nil
}
